/* The two out-of-band examples of the GNU C Library manual ("Out-of-Band
 * Data"), corrected. Plain POSIX: this file is compiled once against the
 * kernel and once with sg_rename.h, which maps recv -> sg_recv and so on,
 * to run the same code on sigurg.
 *
 * What was wrong in the manual's versions:
 *  - discard_until_mark() tested a variable `result` that does not exist
 *    (it meant `atmark`), ignored read() returning 0 at end of file (an
 *    endless loop), and carried on after ioctl() failed.
 *  - read_oob() polled with sleep(1) while the urgent byte was announced
 *    but not yet arrived (spec R19: recv(MSG_OOB) gives EAGAIN then, even
 *    on a blocking socket); it looped forever when recv(MSG_OOB) failed
 *    with EINVAL (no urgent data, already read, or SO_OOBINLINE set), or
 *    when the peer closed; and it returned its saved ordinary data in a
 *    list whose head was the urgent byte, losing `tail` order. This
 *    version waits for POLLPRI, which Linux reports exactly while the
 *    urgent byte can be read (R23), and stops on EINVAL and end of file.
 */
#include "glibc_oob.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

int discard_until_mark(int sock)
{
    for (;;) {
        /* Any size will do: a read that starts before the mark never
         * reads past it (R16). */
        char buffer[1024];
        int atmark;

        if (ioctl(sock, SIOCATMARK, &atmark) < 0)
            return -1;
        if (atmark)
            return 0;
        ssize_t n = read(sock, buffer, sizeof buffer);
        if (n < 0 && errno != EINTR)
            return -1;
        if (n == 0) {
            errno = ENODATA; /* end of file before any mark */
            return -1;
        }
    }
}

static int append(struct oob_buffer **list, const char *data, size_t size)
{
    struct oob_buffer *link = malloc(sizeof *link + size);
    if (!link)
        return -1;
    link->size = size;
    link->next = NULL;
    memcpy(link->buf, data, size);
    while (*list)
        list = &(*list)->next;
    *list = link;
    return 0;
}

int read_oob(int sock, char *oob, struct oob_buffer **saved, int timeout_ms)
{
    *saved = NULL;
    for (;;) {
        char buf[1024];
        ssize_t n = recv(sock, oob, 1, MSG_OOB);
        if (n == 1)
            return 1;
        if (n == 0)
            return 0; /* the connection ended with the byte still announced (R19) */
        if (errno != EAGAIN && errno != EWOULDBLOCK)
            return -1; /* EINVAL: nothing urgent pending; ENOTCONN: reset */

        /* Announced but not here yet. Ordinary data before the mark may be
         * holding up the window: save it (reads stop at the mark). */
        int atmark;
        if (ioctl(sock, SIOCATMARK, &atmark) < 0)
            return -1;
        if (!atmark) {
            n = recv(sock, buf, sizeof buf, MSG_DONTWAIT);
            if (n > 0) {
                if (append(saved, buf, (size_t)n) < 0)
                    return -1;
                continue;
            }
            if (n == 0)
                return 0;
            if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
                return -1;
        }
        /* Wait until the byte arrives (POLLPRI) or more data does. */
        struct pollfd p = {.fd = sock, .events = POLLPRI | (atmark ? 0 : POLLIN)};
        int r = poll(&p, 1, timeout_ms);
        if (r == 0) {
            errno = ETIMEDOUT;
            return -1;
        }
        if (r < 0 && errno != EINTR)
            return -1;
    }
}

void oob_buffers_free(struct oob_buffer *b)
{
    while (b) {
        struct oob_buffer *next = b->next;
        free(b);
        b = next;
    }
}

/* Corrected versions of the GNU C Library manual's out-of-band examples.
 * See glibc_oob.c for what was wrong with the originals. */
#ifndef GLIBC_OOB_H
#define GLIBC_OOB_H
#include <stddef.h>

/* Read and discard ordinary data until the socket is at the urgent mark.
 * 0 at the mark; -1 with errno on error, or ENODATA at end of file. */
int discard_until_mark(int sock);

struct oob_buffer {
    struct oob_buffer *next;
    size_t size;
    char buf[];
};

/* Fetch the urgent byte into *oob, saving the ordinary data that had to be
 * read first (in arrival order) in *saved (free with oob_buffers_free).
 * Waits for the byte with poll(POLLPRI) up to timeout_ms per wait.
 * Returns 1 with the byte, 0 if the connection ended first, -1 with errno
 * (EINVAL: no urgent data pending, ETIMEDOUT). */
int read_oob(int sock, char *oob, struct oob_buffer **saved, int timeout_ms);
void oob_buffers_free(struct oob_buffer *b);
#endif

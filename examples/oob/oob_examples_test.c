/* Runs the corrected glibc examples against a connected TCP pair made by
 * the backend (pair_kernel.c or pair_sigurg.c). The same assertions hold
 * on both: that is the point. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <time.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <cmocka.h>

#include "glibc_oob.h"
#include "pair.h"

static void test_discard_until_mark_stops_at_mark(void **state)
{
    (void)state;
    int tx, rx;
    assert_int_equal(pair_open(&tx, &rx, 0), 0);
    assert_int_equal(send(tx, "hello", 5, 0), 5);
    assert_int_equal(send(tx, "!", 1, MSG_OOB), 1);
    assert_int_equal(send(tx, " world", 6, 0), 6);
    pair_settle();

    assert_int_equal(discard_until_mark(rx), 0);
    assert_int_equal(sockatmark(rx), 1);
    char c = 0;
    assert_int_equal(recv(rx, &c, 1, MSG_OOB), 1);
    assert_int_equal(c, '!');
    char buf[16] = {0};
    assert_int_equal(read(rx, buf, sizeof buf), 6);
    assert_memory_equal(buf, " world", 6);
    pair_close(tx, rx);
}

static void test_discard_until_mark_eof_without_mark(void **state)
{
    (void)state;
    int tx, rx;
    assert_int_equal(pair_open(&tx, &rx, 0), 0);
    assert_int_equal(send(tx, "data", 4, 0), 4);
    assert_int_equal(close(tx), 0);
    pair_settle();
    errno = 0;
    assert_int_equal(discard_until_mark(rx), -1);
    assert_int_equal(errno, ENODATA);
    pair_close(-1, rx);
}

static void test_read_oob_no_urgent_data_is_einval(void **state)
{
    (void)state;
    int tx, rx;
    assert_int_equal(pair_open(&tx, &rx, 0), 0);
    assert_int_equal(send(tx, "plain", 5, 0), 5);
    pair_settle();
    struct oob_buffer *saved;
    char c;
    errno = 0;
    assert_int_equal(read_oob(rx, &c, &saved, 1000), -1);
    assert_int_equal(errno, EINVAL);
    assert_null(saved);
    pair_close(tx, rx);
}

#define BULK                                                                                       \
    (64 * 1024) /* fits the sender buffer (wmem_max caps SO_SNDBUF), dwarfs the receiver's */

static volatile sig_atomic_t sigurg_seen;
static void on_sigurg(int sig)
{
    (void)sig;
    sigurg_seen = 1;
}

static void *send_bulk_then_urgent(void *arg)
{
    int tx = *(int *)arg;
    static char data[BULK];
    for (size_t i = 0; i < sizeof data; i++)
        data[i] = (char)('a' + i % 26);
    size_t off = 0;
    while (off < sizeof data) {
        ssize_t n = send(tx, data + off, sizeof data - off, 0);
        if (n <= 0)
            return (void *)1;
        off += (size_t)n;
    }
    return send(tx, "U", 1, MSG_OOB) == 1 ? NULL : (void *)1;
}

/* The receiver's window is full of ordinary data, so the urgent byte is
 * announced long before it can arrive (R7, Surprise 6): read_oob must save
 * the data in front of it, in order, and then get the byte. */
static void test_read_oob_saves_data_in_front_of_a_late_byte(void **state)
{
    (void)state;
    int tx, rx;
    assert_int_equal(pair_open(&tx, &rx, 4096), 0);
    struct sigaction sa = {.sa_handler = on_sigurg};
    assert_int_equal(sigaction(SIGURG, &sa, NULL), 0);
    assert_int_equal(fcntl(rx, F_SETOWN, getpid()), 0);
    sigurg_seen = 0;
    pthread_t th;
    assert_int_equal(pthread_create(&th, NULL, send_bulk_then_urgent, &tx), 0);
    /* As a telnet reader does: act on SIGURG. The pointer travels even
     * though the receive window is closed (R7). */
    for (int i = 0; i < 500 && !sigurg_seen; i++) {
        struct timespec ts = {0, 10 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    assert_true(sigurg_seen);

    struct oob_buffer *saved = NULL;
    char c = 0;
    int r = read_oob(rx, &c, &saved, 5000);
    /* Drain what remains before the mark, as a telnet reader would. */
    size_t total = 0, bad = 0;
    for (struct oob_buffer *b = saved; b; b = b->next) {
        for (size_t i = 0; i < b->size; i++)
            bad += b->buf[i] != (char)('a' + (total + i) % 26);
        total += b->size;
    }
    void *ret;
    if (r == 1) {
        char buf[4096];
        while (sockatmark(rx) == 0) {
            ssize_t n = read(rx, buf, sizeof buf);
            if (n <= 0)
                break;
            for (ssize_t i = 0; i < n; i++)
                bad += buf[i] != (char)('a' + (total + (size_t)i) % 26);
            total += (size_t)n;
        }
    }
    assert_int_equal(pthread_join(th, &ret), 0);
    assert_null(ret);
    assert_int_equal(r, 1);
    assert_int_equal(c, 'U');
    assert_true(saved != NULL); /* the byte could not have been there at once */
    assert_int_equal(total, BULK);
    assert_int_equal(bad, 0);
    oob_buffers_free(saved);
    pair_close(tx, rx);
}

int main(void)
{
    if (pair_init() != 0)
        return 77; /* backend unavailable (e.g. no namespace rights) */
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_discard_until_mark_stops_at_mark),
        cmocka_unit_test(test_discard_until_mark_eof_without_mark),
        cmocka_unit_test(test_read_oob_no_urgent_data_is_einval),
        cmocka_unit_test(test_read_oob_saves_data_in_front_of_a_late_byte),
    };
    return cmocka_run_group_tests_name(pair_name(), tests, NULL, NULL);
}

/* The sg_* API on threaded and caller-driven stacks: two stacks joined by
 * sg_link_pair, each run by its service thread (or by the caller), the
 * application in threads of its own. Real time, so timeouts here are
 * generous and nothing depends on exact timing.
 *
 *   - a server thread accepting several clients, every connection moving
 *     data both ways at once (a writer thread and a reader per end);
 *   - shutdown(SHUT_RD) from another thread wakes a blocked reader (0);
 *     close() from another thread does not (Linux), the peer's data does;
 *   - a sigurg descriptor in a kernel epoll becomes readable;
 *   - SIGURG from the service thread to the F_SETOWN owner;
 *   - UDP between threaded stacks; a caller-driven stack.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>
#include "sigurg/sigurg.h"
#include "sigurg/sim.h"

#define SA(x) ((struct sockaddr *)&(x))

struct env {
    sg_stack *a, *b; /* 10.1.0.1, 10.1.0.2 */
};

static int setup_started(void **state)
{
    static struct env e;
    e.a = sg_stack_new(NULL);
    e.b = sg_stack_new(NULL);
    assert_non_null(e.a);
    assert_non_null(e.b);
    assert_int_equal(sg_link_pair(e.a, "10.1.0.1/24", e.b, "10.1.0.2/24", NULL), 0);
    assert_int_equal(sg_stack_start(e.a), 0);
    assert_int_equal(sg_stack_start(e.b), 0);
    assert_int_equal(sg_stack_start(e.b), -1);
    assert_int_equal(errno, EALREADY);
    *state = &e;
    return 0;
}

static int teardown(void **state)
{
    struct env *e = *state;
    sg_stack_free(e->a);
    sg_stack_free(e->b);
    return 0;
}

static struct sockaddr_in sin4(const char *ip, uint16_t port)
{
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port)};
    inet_pton(AF_INET, ip, &a.sin_addr);
    return a;
}

static int tlisten(sg_stack *s, const char *ip, uint16_t port)
{
    int fd = sg_socket_on(s, AF_INET, SOCK_STREAM, 0);
    assert_true(fd >= 0);
    int one = 1;
    assert_int_equal(sg_setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)), 0);
    struct sockaddr_in a = sin4(ip, port);
    assert_int_equal(sg_bind(fd, SA(a), sizeof(a)), 0);
    assert_int_equal(sg_listen(fd, 16), 0);
    return fd;
}

static int tconnect(sg_stack *s, const char *ip, uint16_t port)
{
    int fd = sg_socket_on(s, AF_INET, SOCK_STREAM, 0);
    assert_true(fd >= 0);
    struct sockaddr_in to = sin4(ip, port);
    assert_int_equal(sg_connect(fd, SA(to), sizeof(to)), 0);
    return fd;
}

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000};
    nanosleep(&ts, NULL);
}

static uint8_t pattern(uint32_t stream, size_t i)
{
    return (uint8_t)(i * 7 + (i >> 9) + stream * 31);
}

/* ---- many clients, both directions at once ---------------------------- */

#define NCLIENTS 4
#define XFER (256 * 1024)

struct half {
    int fd;
    uint32_t stream;
    size_t bytes;
    int ok;
};

static void *writer(void *arg)
{
    struct half *h = arg;
    uint8_t buf[4096];
    size_t done = 0;
    while (done < h->bytes) {
        size_t n = h->bytes - done < sizeof(buf) ? h->bytes - done : sizeof(buf);
        for (size_t i = 0; i < n; i++)
            buf[i] = pattern(h->stream, done + i);
        ssize_t r = sg_send(h->fd, buf, n, 0);
        if (r <= 0)
            return NULL;
        done += (size_t)r;
    }
    h->ok = sg_shutdown(h->fd, SHUT_WR) == 0;
    return NULL;
}

static void *reader(void *arg)
{
    struct half *h = arg;
    uint8_t buf[5000];
    size_t done = 0;
    for (;;) {
        ssize_t r = sg_recv(h->fd, buf, sizeof(buf), 0);
        if (r < 0)
            return NULL;
        if (r == 0)
            break;
        for (ssize_t i = 0; i < r; i++)
            if (buf[i] != pattern(h->stream, done + (size_t)i))
                return NULL;
        done += (size_t)r;
    }
    h->ok = done == h->bytes;
    return NULL;
}

/* Both ends of one connection each write a stream and read the other's. */
struct conn {
    struct half w, r;
    pthread_t tw, tr;
};

static void conn_start(struct conn *c, int fd, uint32_t out_stream, uint32_t in_stream)
{
    c->w = (struct half){fd, out_stream, XFER, 0};
    c->r = (struct half){fd, in_stream, XFER, 0};
    pthread_create(&c->tw, NULL, writer, &c->w);
    pthread_create(&c->tr, NULL, reader, &c->r);
}

static void conn_join(struct conn *c)
{
    pthread_join(c->tw, NULL);
    pthread_join(c->tr, NULL);
}

struct server {
    int lfd;
    struct conn conns[NCLIENTS];
    int fds[NCLIENTS];
};

static void *server_main(void *arg)
{
    struct server *sv = arg;
    for (int i = 0; i < NCLIENTS; i++) {
        struct sockaddr_in peer;
        socklen_t pl = sizeof(peer);
        sv->fds[i] = sg_accept(sv->lfd, SA(peer), &pl);
        if (sv->fds[i] < 0)
            return NULL;
        /* The client tells which it is by its first byte. */
        uint8_t id;
        if (sg_recv(sv->fds[i], &id, 1, MSG_WAITALL) != 1)
            return NULL;
        conn_start(&sv->conns[i], sv->fds[i], 100 + id, id);
    }
    for (int i = 0; i < NCLIENTS; i++)
        conn_join(&sv->conns[i]);
    return NULL;
}

static void test_threads_many_clients_both_directions(void **state)
{
    struct env *e = *state;
    struct server sv = {.lfd = tlisten(e->b, "10.1.0.2", 9000)};
    pthread_t st;
    pthread_create(&st, NULL, server_main, &sv);
    struct conn cc[NCLIENTS];
    int cfd[NCLIENTS];
    for (int i = 0; i < NCLIENTS; i++) {
        cfd[i] = tconnect(e->a, "10.1.0.2", 9000);
        uint8_t id = (uint8_t)i;
        assert_int_equal(sg_send(cfd[i], &id, 1, 0), 1);
        conn_start(&cc[i], cfd[i], (uint32_t)i, 100u + (uint32_t)i);
    }
    for (int i = 0; i < NCLIENTS; i++) {
        conn_join(&cc[i]);
        assert_true(cc[i].w.ok);
        assert_true(cc[i].r.ok);
    }
    pthread_join(st, NULL);
    for (int i = 0; i < NCLIENTS; i++) {
        assert_true(sv.conns[i].w.ok);
        assert_true(sv.conns[i].r.ok);
        assert_int_equal(sg_close(sv.fds[i]), 0);
        assert_int_equal(sg_close(cfd[i]), 0);
    }
    assert_int_equal(sg_close(sv.lfd), 0);
}

/* ---- waking blocked readers ---------------------------------------------- */

struct blocked {
    int fd;
    ssize_t r;
    int err;
    char buf[8];
    atomic_int done;
};

static void *blocked_recv(void *arg)
{
    struct blocked *b = arg;
    b->r = sg_recv(b->fd, b->buf, sizeof(b->buf), 0);
    b->err = errno;
    atomic_store(&b->done, 1);
    return NULL;
}

static void tpair(struct env *e, uint16_t port, int *c, int *s)
{
    int l = tlisten(e->b, "10.1.0.2", port);
    *c = tconnect(e->a, "10.1.0.2", port);
    *s = sg_accept(l, NULL, NULL);
    assert_true(*s >= 0);
    sg_close(l);
}

static void test_threads_shutdown_rd_wakes_reader(void **state)
{
    struct env *e = *state;
    int c, s;
    tpair(e, 9001, &c, &s);
    struct blocked b = {.fd = s};
    pthread_t t;
    pthread_create(&t, NULL, blocked_recv, &b);
    sleep_ms(100);
    assert_int_equal(atomic_load(&b.done), 0);
    assert_int_equal(sg_shutdown(s, SHUT_RD), 0);
    pthread_join(t, NULL);
    assert_int_equal(b.r, 0); /* as Linux: a blocked recv returns 0 */
    sg_close(c);
    sg_close(s);
}

/* Linux: close() in another thread does not wake a blocked recv(); the
 * socket lives on until that call returns, and data from the peer still
 * reaches it. The number is free at once. */
static void test_threads_close_does_not_wake_reader(void **state)
{
    struct env *e = *state;
    int c, s;
    tpair(e, 9002, &c, &s);
    struct blocked b = {.fd = s};
    pthread_t t;
    pthread_create(&t, NULL, blocked_recv, &b);
    sleep_ms(100);
    assert_int_equal(sg_close(s), 0);
    sleep_ms(200);
    assert_int_equal(atomic_load(&b.done), 0);
    char x;
    assert_int_equal(sg_recv(s, &x, 1, MSG_DONTWAIT), -1);
    assert_int_equal(errno, EBADF);
    assert_int_equal(sg_send(c, "x", 1, 0), 1);
    pthread_join(t, NULL);
    assert_int_equal(b.r, 1);
    assert_int_equal(b.buf[0], 'x');
    /* The last reference went with the call: the peer sees the close. */
    assert_int_equal(sg_recv(c, &x, 1, 0), 0);
    sg_close(c);
}

/* ---- a sigurg descriptor in a kernel epoll ------------------------------- */

static void *delayed_send(void *arg)
{
    int fd = *(int *)arg;
    sleep_ms(100);
    sg_send(fd, "hi", 2, 0);
    return NULL;
}

static void test_threads_foreign_epoll(void **state)
{
    struct env *e = *state;
    int c, s;
    tpair(e, 9003, &c, &s);
    int kep = epoll_create1(EPOLL_CLOEXEC);
    struct epoll_event ev = {.events = EPOLLIN, .data.fd = s}, out[2];
    assert_int_equal(epoll_ctl(kep, EPOLL_CTL_ADD, s, &ev), 0);
    assert_int_equal(epoll_wait(kep, out, 2, 0), 0);
    pthread_t t;
    pthread_create(&t, NULL, delayed_send, &c);
    assert_int_equal(epoll_wait(kep, out, 2, 5000), 1);
    assert_int_equal(out[0].data.fd, s);
    char b[4];
    assert_int_equal(sg_recv(s, b, sizeof(b), MSG_DONTWAIT), 2);
    assert_int_equal(epoll_wait(kep, out, 2, 0), 0);
    pthread_join(t, NULL);
    /* Mixed in sg_poll with a host pipe. */
    int pfd[2];
    assert_int_equal(pipe(pfd), 0);
    assert_int_equal(write(pfd[1], "p", 1), 1);
    struct pollfd p[2] = {{s, POLLIN, 0}, {pfd[0], POLLIN, 0}};
    assert_int_equal(sg_poll(p, 2, 1000), 1);
    assert_int_equal(p[0].revents, 0);
    assert_int_equal(p[1].revents, POLLIN);
    close(pfd[0]);
    close(pfd[1]);
    /* And a blocking sg_epoll_wait woken from another thread. */
    int ep = sg_epoll_create1(0);
    ev.events = EPOLLIN;
    assert_int_equal(sg_epoll_ctl(ep, EPOLL_CTL_ADD, s, &ev), 0);
    pthread_create(&t, NULL, delayed_send, &c);
    assert_int_equal(sg_epoll_wait(ep, out, 2, 5000), 1);
    pthread_join(t, NULL);
    sg_close(ep);
    close(kep);
    sg_close(c);
    sg_close(s);
}

/* ---- SIGURG from the service thread ---------------------------------------- */

static atomic_int n_urg;

static void on_urg(int sig)
{
    (void)sig;
    atomic_fetch_add(&n_urg, 1);
}

static void test_threads_sigurg_to_owner(void **state)
{
    struct env *e = *state;
    struct sigaction sa = {.sa_handler = on_urg, .sa_flags = SA_RESTART};
    sigaction(SIGURG, &sa, NULL);
    int c, s;
    tpair(e, 9004, &c, &s);
    assert_int_equal(sg_fcntl(s, F_SETOWN, getpid()), 0);
    atomic_store(&n_urg, 0);
    assert_int_equal(sg_send(c, "abc", 3, MSG_OOB), 3);
    char b[8];
    assert_int_equal(sg_recv(s, b, sizeof(b), 0), 2); /* stops at the mark */
    for (int i = 0; i < 100 && atomic_load(&n_urg) == 0; i++)
        sleep_ms(10);
    assert_int_equal(atomic_load(&n_urg), 1);
    assert_int_equal(sg_sockatmark(s), 1);
    assert_int_equal(sg_recv(s, b, 1, MSG_OOB), 1);
    assert_int_equal(b[0], 'c');
    sg_close(c);
    sg_close(s);
}

/* ---- UDP between threaded stacks ----------------------------------------- */

static void test_threads_udp(void **state)
{
    struct env *e = *state;
    int rx = sg_socket_on(e->b, AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in a = sin4("10.1.0.2", 9005);
    assert_int_equal(sg_bind(rx, SA(a), sizeof(a)), 0);
    int tx = sg_socket_on(e->a, AF_INET, SOCK_DGRAM, 0);
    assert_int_equal(sg_connect(tx, SA(a), sizeof(a)), 0);
    for (int i = 0; i < 3; i++)
        assert_int_equal(sg_send(tx, "dgram", 5, 0), 5);
    struct timeval tv = {5, 0};
    assert_int_equal(sg_setsockopt(rx, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)), 0);
    char b[8];
    for (int i = 0; i < 3; i++)
        assert_int_equal(sg_recv(rx, b, sizeof(b), 0), 5);
    tv = (struct timeval){0, 100000};
    assert_int_equal(sg_setsockopt(rx, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)), 0);
    uint64_t t0 = sg_now_ns();
    assert_int_equal(sg_recv(rx, b, sizeof(b), 0), -1);
    assert_int_equal(errno, EAGAIN);
    assert_true(sg_now_ns() - t0 >= 100000000ull);
    sg_close(rx);
    sg_close(tx);
}

/* ---- caller-driven -------------------------------------------------------- */

static int setup_driven(void **state)
{
    static struct env e;
    e.a = sg_stack_new(NULL); /* caller-driven */
    e.b = sg_stack_new(NULL);
    assert_int_equal(sg_link_pair(e.a, "10.1.0.1/24", e.b, "10.1.0.2/24", NULL), 0);
    assert_int_equal(sg_stack_start(e.b), 0); /* b threaded, a driven */
    *state = &e;
    return 0;
}

/* An event loop of our own runs stack a: wait on its descriptor and
 * deadline, process. Non-blocking sockets throughout; then a blocking
 * call, which drives a itself. */
static void test_driven_event_loop(void **state)
{
    struct env *e = *state;
    int wfd = sg_stack_wait_fd(e->a);
    assert_true(wfd >= 0);
    int l = tlisten(e->b, "10.1.0.2", 9006);
    int c = sg_socket_on(e->a, AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    struct sockaddr_in to = sin4("10.1.0.2", 9006);
    assert_int_equal(sg_connect(c, SA(to), sizeof(to)), -1);
    assert_int_equal(errno, EINPROGRESS);
    uint64_t next = sg_stack_process(e->a, sg_now_ns());
    int connected = 0, got = 0;
    char b[8];
    int s = -1;
    for (int iter = 0; iter < 1000 && got < 5; iter++) {
        struct pollfd p = {wfd, POLLIN, 0};
        uint64_t now = sg_now_ns();
        int ms = next == UINT64_MAX ? 100 : next <= now ? 0 : (int)((next - now) / 1000000 + 1);
        poll(&p, 1, ms > 100 ? 100 : ms);
        next = sg_stack_process(e->a, sg_now_ns());
        struct pollfd q = {c, POLLOUT | POLLIN, 0};
        sg_poll(&q, 1, 0);
        if (!connected && (q.revents & POLLOUT)) {
            connected = 1;
            assert_int_equal(sg_send(c, "hello", 5, 0), 5);
            s = sg_accept(l, NULL, NULL); /* b is threaded: blocks there */
            assert_true(s >= 0);
            assert_int_equal(sg_send(s, "world", 5, 0), 5);
        }
        if (q.revents & POLLIN) {
            ssize_t r = sg_recv(c, b + got, sizeof(b) - (size_t)got, 0);
            if (r > 0)
                got += (int)r;
        }
    }
    assert_int_equal(got, 5);
    assert_memory_equal(b, "world", 5);
    /* A blocking recv on the driven stack runs it itself. */
    int fl = sg_fcntl(c, F_GETFL);
    assert_int_equal(sg_fcntl(c, F_SETFL, fl & ~O_NONBLOCK), 0);
    assert_int_equal(sg_send(s, "again", 5, 0), 5);
    assert_int_equal(sg_recv(c, b, 5, MSG_WAITALL), 5);
    assert_memory_equal(b, "again", 5);
    /* ... and so does a blocking sg_poll. */
    assert_int_equal(sg_send(s, "!", 1, 0), 1);
    struct pollfd q = {c, POLLIN, 0};
    assert_int_equal(sg_poll(&q, 1, 5000), 1);
    sg_close(c);
    sg_close(s);
    sg_close(l);
}

int main(void)
{
    signal(SIGPIPE, SIG_IGN);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_threads_many_clients_both_directions, setup_started,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_threads_shutdown_rd_wakes_reader, setup_started,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_threads_close_does_not_wake_reader, setup_started,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_threads_foreign_epoll, setup_started, teardown),
        cmocka_unit_test_setup_teardown(test_threads_sigurg_to_owner, setup_started, teardown),
        cmocka_unit_test_setup_teardown(test_threads_udp, setup_started, teardown),
        cmocka_unit_test_setup_teardown(test_driven_event_loop, setup_driven, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

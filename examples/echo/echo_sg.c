/* setup { */
/* echo over sigurg: an echo server and its client in one process, each on
 * a sigurg stack of its own (threaded, 10.0.0.2 and 10.0.0.1) joined by an
 * in-memory link. echo_kernel.c is the same program on the kernel's
 * sockets; the two differ only in renamed calls (socket -> sg_socket, ...)
 * and in the lines marked "setup" (check_diff.sh holds them to that). */
/* } setup */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include "sigurg/sigurg.h" /* setup */

#define SERVER_ADDR "10.0.0.2" /* setup */
#define MESSAGES 200

static void die(const char *what)
{
    perror(what);
    exit(1);
}

static void send_all(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = sg_send(fd, p, n, MSG_NOSIGNAL);
        if (w < 0)
            die("send");
        p += w;
        n -= (size_t)w;
    }
}

static void recv_exactly(int fd, char *p, size_t n)
{
    while (n > 0) {
        ssize_t r = sg_recv(fd, p, n, 0);
        if (r <= 0) {
            if (r == 0)
                errno = ECONNRESET;
            die("recv");
        }
        p += r;
        n -= (size_t)r;
    }
}

/* The server echoes what it reads. An urgent byte (MSG_OOB) is taken out
 * of the stream and answered with "[URG x]": POLLPRI says one is there. */
static void *server(void *arg)
{
    int ls = *(int *)arg;
    int c = sg_accept(ls, NULL, NULL);
    if (c < 0)
        die("accept");
    char buf[4096];
    for (;;) {
        struct pollfd p = {.fd = c, .events = POLLIN | POLLPRI};
        if (sg_poll(&p, 1, -1) < 0)
            die("poll");
        if (p.revents & POLLPRI) {
            char u;
            if (sg_recv(c, &u, 1, MSG_OOB) == 1) {
                char note[16];
                int n = snprintf(note, sizeof note, "[URG %c]", u);
                send_all(c, note, (size_t)n);
                continue;
            }
        }
        ssize_t n = sg_recv(c, buf, sizeof buf, 0);
        if (n < 0)
            die("recv");
        if (n == 0)
            break;
        send_all(c, buf, (size_t)n);
    }
    if (sg_close(c) < 0)
        die("close");
    return NULL;
}

int main(void)
{
    /* setup { */
    /* Two stacks, one per end, each with its own service thread. */
    sg_stack *client_stack = sg_stack_new(NULL), *server_stack = sg_stack_new(NULL);
    if (!client_stack || !server_stack ||
        sg_link_pair(client_stack, "10.0.0.1/24", server_stack, "10.0.0.2/24", NULL) < 0 ||
        sg_stack_start(client_stack) < 0 || sg_stack_start(server_stack) < 0)
        die("sigurg stacks");
    sg_set_default_stack(server_stack);
    /* } setup */
    int ls = sg_socket(AF_INET, SOCK_STREAM, 0);
    if (ls < 0)
        die("socket");
    struct sockaddr_in sin;
    memset(&sin, 0, sizeof sin);
    sin.sin_family = AF_INET;
    inet_pton(AF_INET, SERVER_ADDR, &sin.sin_addr);
    socklen_t len = sizeof sin;
    if (sg_bind(ls, (struct sockaddr *)&sin, sizeof sin) < 0 || sg_listen(ls, 4) < 0 ||
        sg_getsockname(ls, (struct sockaddr *)&sin, &len) < 0)
        die("listen");
    pthread_t th;
    if (pthread_create(&th, NULL, server, &ls) != 0)
        die("pthread_create");

    /* setup { */
    sg_set_default_stack(client_stack);
    /* } setup */
    int c = sg_socket(AF_INET, SOCK_STREAM, 0);
    if (c < 0 || sg_connect(c, (struct sockaddr *)&sin, sizeof sin) < 0)
        die("connect");
    size_t bytes = 0;
    for (int i = 0; i < MESSAGES; i++) {
        char msg[64], back[64];
        int n = snprintf(msg, sizeof msg, "message %d of %d\n", i + 1, MESSAGES);
        send_all(c, msg, (size_t)n);
        recv_exactly(c, back, (size_t)n);
        if (memcmp(msg, back, (size_t)n) != 0) {
            fprintf(stderr, "echo: message %d came back as '%.*s'\n", i + 1, n, back);
            return 1;
        }
        bytes += (size_t)n;
    }
    /* One urgent byte: the server sees it out of band and says so. */
    if (sg_send(c, "!", 1, MSG_OOB) != 1)
        die("sg_send(MSG_OOB)");
    char note[8];
    recv_exactly(c, note, sizeof note - 1);
    if (memcmp(note, "[URG !]", 7) != 0) {
        fprintf(stderr, "echo: urgent byte answered with '%.7s'\n", note);
        return 1;
    }
    /* Orderly close: our FIN ends the server's loop, its FIN is our EOF. */
    if (sg_shutdown(c, SHUT_WR) < 0)
        die("shutdown");
    char x;
    if (sg_recv(c, &x, 1, 0) != 0)
        die("sg_recv(EOF)");
    pthread_join(th, NULL);
    if (sg_close(c) < 0 || sg_close(ls) < 0)
        die("close");
    printf("echo: %d messages, %zu bytes echoed, urgent byte seen out of band\n", MESSAGES, bytes);
    /* setup { */
    sg_stack_free(client_stack);
    sg_stack_free(server_stack);
    /* } setup */
    return 0;
}

/* setup { */
/* echo over the kernel's sockets: an echo server and its client in one
 * process, talking over 127.0.0.1. echo_sg.c is the same program on
 * sigurg; the two differ only in renamed calls (socket -> sg_socket, ...)
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

#define SERVER_ADDR "127.0.0.1" /* setup */
#define MESSAGES 200

static void die(const char *what)
{
    perror(what);
    exit(1);
}

static void send_all(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
        if (w < 0)
            die("send");
        p += w;
        n -= (size_t)w;
    }
}

static void recv_exactly(int fd, char *p, size_t n)
{
    while (n > 0) {
        ssize_t r = recv(fd, p, n, 0);
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
    int c = accept(ls, NULL, NULL);
    if (c < 0)
        die("accept");
    char buf[4096];
    for (;;) {
        struct pollfd p = {.fd = c, .events = POLLIN | POLLPRI};
        if (poll(&p, 1, -1) < 0)
            die("poll");
        if (p.revents & POLLPRI) {
            char u;
            if (recv(c, &u, 1, MSG_OOB) == 1) {
                char note[16];
                int n = snprintf(note, sizeof note, "[URG %c]", u);
                send_all(c, note, (size_t)n);
                continue;
            }
        }
        ssize_t n = recv(c, buf, sizeof buf, 0);
        if (n < 0)
            die("recv");
        if (n == 0)
            break;
        send_all(c, buf, (size_t)n);
    }
    if (close(c) < 0)
        die("close");
    return NULL;
}

int main(void)
{
    /* setup { */
    /* The kernel's stack is there already: nothing to set up. */
    /* } setup */
    int ls = socket(AF_INET, SOCK_STREAM, 0);
    if (ls < 0)
        die("socket");
    struct sockaddr_in sin;
    memset(&sin, 0, sizeof sin);
    sin.sin_family = AF_INET;
    inet_pton(AF_INET, SERVER_ADDR, &sin.sin_addr);
    socklen_t len = sizeof sin;
    if (bind(ls, (struct sockaddr *)&sin, sizeof sin) < 0 || listen(ls, 4) < 0 ||
        getsockname(ls, (struct sockaddr *)&sin, &len) < 0)
        die("listen");
    pthread_t th;
    if (pthread_create(&th, NULL, server, &ls) != 0)
        die("pthread_create");

    /* setup { */
    /* } setup */
    int c = socket(AF_INET, SOCK_STREAM, 0);
    if (c < 0 || connect(c, (struct sockaddr *)&sin, sizeof sin) < 0)
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
    if (send(c, "!", 1, MSG_OOB) != 1)
        die("send(MSG_OOB)");
    char note[8];
    recv_exactly(c, note, sizeof note - 1);
    if (memcmp(note, "[URG !]", 7) != 0) {
        fprintf(stderr, "echo: urgent byte answered with '%.7s'\n", note);
        return 1;
    }
    /* Orderly close: our FIN ends the server's loop, its FIN is our EOF. */
    if (shutdown(c, SHUT_WR) < 0)
        die("shutdown");
    char x;
    if (recv(c, &x, 1, 0) != 0)
        die("recv(EOF)");
    pthread_join(th, NULL);
    if (close(c) < 0 || close(ls) < 0)
        die("close");
    printf("echo: %d messages, %zu bytes echoed, urgent byte seen out of band\n", MESSAGES, bytes);
    /* setup { */
    /* } setup */
    return 0;
}

/* sigurg backend: two threaded stacks in this process, 10.0.0.1 and
 * 10.0.0.2, joined by an in-memory link. Compiled with sg_rename.h, so the
 * calls below are sigurg's too. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <time.h>

#include "pair.h"

static sg_stack *client_stack, *server_stack;

int pair_init(void)
{
    client_stack = sg_stack_new(NULL);
    server_stack = sg_stack_new(NULL);
    if (!client_stack || !server_stack)
        return -1;
    if (sg_link_pair(client_stack, "10.0.0.1/24", server_stack, "10.0.0.2/24", NULL) ||
        sg_stack_start(client_stack) || sg_stack_start(server_stack))
        return -1;
    return 0;
}

const char *pair_name(void)
{
    return "glibc_oob_examples_sigurg";
}

int pair_open(int *tx, int *rx, int rcvbuf)
{
    int l = sg_socket_on(server_stack, AF_INET, SOCK_STREAM, 0);
    if (rcvbuf > 0)
        setsockopt(l, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
    struct sockaddr_in a = {.sin_family = AF_INET};
    inet_pton(AF_INET, "10.0.0.2", &a.sin_addr);
    socklen_t alen = sizeof a;
    if (bind(l, (struct sockaddr *)&a, sizeof a) || listen(l, 1) ||
        getsockname(l, (struct sockaddr *)&a, &alen))
        return -1;
    *tx = sg_socket_on(client_stack, AF_INET, SOCK_STREAM, 0);
    if (rcvbuf > 0) {
        int sndbuf = 1 << 20;
        setsockopt(*tx, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof sndbuf);
    }
    if (connect(*tx, (struct sockaddr *)&a, sizeof a))
        return -1;
    *rx = accept(l, NULL, NULL);
    close(l);
    return *rx < 0 ? -1 : 0;
}

void pair_settle(void)
{
    struct timespec ts = {0, 20 * 1000 * 1000};
    nanosleep(&ts, NULL);
}

void pair_close(int tx, int rx)
{
    if (tx >= 0)
        close(tx);
    if (rx >= 0)
        close(rx);
}

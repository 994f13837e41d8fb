/* The observation recorder: scenarios turn what the socket API did into text
 * lines, and two backends agree when their lines are identical.
 *
 * A line names the socket it is about (obs_name: "tx", "rx", "ls", ...),
 * never a descriptor number, and never a port, address or timing, so the
 * text depends only on behaviour. Errors are errno *names* ("EINVAL"), data
 * is quoted with non-printable bytes escaped, flag sets are '|'-joined names:
 *
 *   rx: recv(5,0)=4 'hell'
 *   rx: recv(1,OOB)=-1 EINVAL
 *   rx: mark=1     rx: inq=4     rx: poll=IN|PRI|OUT    rx: select=r-x
 *   rx: recvmsg([1],OOB)=1 'x' msg_flags=OOB
 *   sigurg=1       sigio=[POLL_PRI,POLL_IN]
 *
 * Lines go straight to out_fd (write(2), one call per line), so a scenario
 * that hangs or crashes still leaves everything it observed so far.
 */
#ifndef SIGURG_TESTS_DIFF_OBS_H
#define SIGURG_TESTS_DIFF_OBS_H

#include "sockops.h"

#include <stddef.h>
#include <sys/types.h>

#define OBS_MAX_NAMES 16

struct obs {
    const struct sockops *ops;
    int out_fd;
    struct {
        int fd;
        char name[12];
    } names[OBS_MAX_NAMES];
    int nnames;
};

void obs_init(struct obs *o, const struct sockops *ops, int out_fd);
/* Name fd in later lines; naming an fd again renames it. */
void obs_name(struct obs *o, int fd, const char *name);
const char *obs_fdname(const struct obs *o, int fd);

/* A free-form line. */
void obs_line(struct obs *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A line about fd: "name: ...". */
void obs_on(struct obs *o, int fd, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Record "!! ..." and end the scenario's process (exit status 3): for setup
 * steps that are not under test and must not fail. */
_Noreturn void obs_fail(struct obs *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Formatting helpers, usable on their own. */
const char *obs_errname(int e);
/* Quote n bytes of p into dst ('...' with \xHH escapes); long data is shown
 * as its first bytes, its length and an FNV-1a hash. */
void obs_quote(char *dst, size_t cap, const void *p, size_t n);
void obs_msgflags(char *dst, size_t cap, int flags);     /* "OOB|TRUNC", "0" */
void obs_pollbits(char *dst, size_t cap, unsigned bits); /* "IN|PRI|OUT", "0" */

/* Signals. obs_signals_install() sets counting handlers for SIGURG and
 * SIGPIPE and an SA_SIGINFO handler for the F_SETSIG signal (a queued
 * realtime signal, obs_sigio_signo()) that records each si_code. The
 * obs_sig* calls print what arrived since the previous call and reset. */
void obs_signals_install(void);
int obs_sigio_signo(void);
int obs_sigurg(struct obs *o);  /* "sigurg=N" */
int obs_sigpipe(struct obs *o); /* "sigpipe=N" */
int obs_sigio(struct obs *o);   /* "sigio=[POLL_PRI,POLL_IN]" */
int obs_sigurg_peek(void);      /* count so far, without printing or reset */
/* Take the si_codes recorded so far (up to max into codes) without
 * printing; returns how many arrived. */
int obs_sigio_take(int *codes, int max);

/* Do one call through o->ops and record it. Return what the call returned
 * (errno preserved). */
ssize_t obs_send(struct obs *o, int fd, const void *buf, size_t len, int flags);
ssize_t obs_sendto(struct obs *o, int fd, const void *buf, size_t len, int flags,
                   const struct sockaddr *to, socklen_t tolen);
/* sendmsg with one iovec per string in parts (NULL-terminated). */
ssize_t obs_sendmsg(struct obs *o, int fd, const char *const *parts, int flags);
/* Send len bytes of a deterministic pattern (byte i is 'a' + i % 26), the
 * last byte replaced by last if last >= 0; one line with the total. */
ssize_t obs_send_pattern(struct obs *o, int fd, size_t len, int last, int flags);
/* recv into a fresh buffer of len bytes, pre-filled with '#' so bytes
 * counted but not copied (MSG_TRUNC) show. */
ssize_t obs_recv(struct obs *o, int fd, size_t len, int flags);
ssize_t obs_recv_nullbuf(struct obs *o, int fd, int flags); /* recv(fd,NULL,0,flags) */
ssize_t obs_recvfrom(struct obs *o, int fd, size_t len, int flags);
/* recvmsg with iovecs of the given lengths (niov may be 0). */
ssize_t obs_recvmsg(struct obs *o, int fd, const size_t *iovlens, int niov, int flags);
ssize_t obs_read(struct obs *o, int fd, size_t len);
ssize_t obs_readv(struct obs *o, int fd, const size_t *iovlens, int niov);
/* Read with flags until total bytes arrived, a call returns 0 or fails
 * other than EAGAIN, EAGAIN persists across a settle, or (stop_at_mark)
 * sockatmark() turns 1. One line with the total, the data and why it
 * stopped, whatever the segmentation was: "rx: recv*(100,0)=99 '...' at=mark". */
ssize_t obs_recv_total(struct obs *o, int fd, size_t total, int flags, int stop_at_mark);

int obs_mark(struct obs *o, int fd);       /* sockatmark(): "mark=1" */
int obs_siocatmark(struct obs *o, int fd); /* ioctl(SIOCATMARK): "siocatmark=1" */
int obs_inq(struct obs *o, int fd);        /* ioctl(SIOCINQ): "inq=4" */
int obs_fionread(struct obs *o, int fd);   /* ioctl(FIONREAD): "fionread=4" */
int obs_poll(struct obs *o, int fd);       /* poll(IN|PRI|OUT|RDHUP, 0) */
int obs_poll_all(struct obs *o, int fd);   /* poll asking for every bit */
int obs_select(struct obs *o, int fd);     /* "select=rwx" with '-' for unset */
int obs_epoll(struct obs *o, int fd);      /* level-triggered, IN|PRI|OUT|RDHUP */
/* poll, select and epoll at once: "ready: poll=... select=... epoll=..." */
void obs_ready(struct obs *o, int fd);

int obs_setint(struct obs *o, int fd, int level, int opt, const char *optname, int val);
int obs_getint(struct obs *o, int fd, int level, int opt, const char *optname);
int obs_shutdown(struct obs *o, int fd, int how);
int obs_close(struct obs *o, int fd);

#endif

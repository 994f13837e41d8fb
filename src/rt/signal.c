/* Signals a socket sends: SIGURG to the F_SETOWN owner (oob.md R22),
 * SIGIO / the F_SETSIG signal to an O_ASYNC socket's owner, SIGPIPE to the
 * writing thread. As Linux (net/core/sock.c sk_send_sigurg, sock_wake_async,
 * fs/fcntl.c send_sigio / kill_fasync):
 *
 *   SIGURG   once per accepted urgent pointer (TCP_EV_SIGURG), to the
 *            owner: process, or negative: process group. No owner, none.
 *   SIGIO    with O_ASYNC and an owner, for wake-ups of the socket that do
 *            not come from the owner's own calls:
 *              urgent pointer accepted  POLL_PRI  only with F_SETSIG: with
 *                                       plain SIGIO Linux sends nothing
 *                                       here (kill_fasync skips SIGURG
 *                                       wake-ups for signum 0), SIGURG
 *                                       already went
 *              error (RST, ICMP)        POLL_ERR
 *              connected                POLL_OUT
 *              urgent byte arrived      POLL_IN   (sk_data_ready in tcp_urg)
 *              data / connection ready  POLL_IN   (one per wake-up: a wake-up
 *                                       for both gives one, as in Linux)
 *              FIN                      POLL_IN, or POLL_HUP once both
 *                                       directions are shut
 *              space after a full send  POLL_OUT  (SOCKWQ_ASYNC_NOSPACE)
 *            So an urgent segment gives [POLL_PRI, POLL_IN, POLL_IN] with
 *            F_SETSIG (R22, sigio_async_band).
 *   F_SETSIG signal: queued with rt_sigqueueinfo(si_code = POLL_*, si_band
 *            = the poll bits of that reason, si_fd) when the owner is this
 *            process; Linux refuses si_code > 0 from user space towards
 *            other processes, so others get a plain kill(), without
 *            si_band / si_fd. Plain SIGIO and SIGURG to ourselves carry
 *            si_code SI_KERNEL, as the kernel's do.
 *   Merging: see rt_sig_merged.
 *   SIGPIPE  pthread_kill(pthread_self()): the kernel signals the thread.
 *
 * Signals are queued on the stack while its lock is held and sent after
 * it is dropped (rt_unlock, the service loop); an event raised while
 * nobody holds the lock (a world stepped by the application) sends at once.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "rt/rt_sock.h"

/* Linux's band_table, indexed by POLL_* - POLL_IN. */
static long rt_sig_band(int code)
{
    switch (code) {
    case POLL_IN:
    case POLL_MSG:
        return POLLIN | POLLRDNORM | POLLMSG;
    case POLL_OUT:
        return POLLOUT | POLLWRNORM | POLLWRBAND;
    case POLL_ERR:
        return POLLERR;
    case POLL_PRI:
        return POLLPRI | POLLRDBAND;
    case POLL_HUP:
        return POLLHUP | POLLERR;
    default:
        return 0;
    }
}

/* A standard (non-realtime) signal is pending until the process runs
 * its handler, and raising it again meanwhile does nothing: Linux merges
 * the SIGIOs / SIGURGs one segment raises into one delivery. The kernel
 * does this for us when the runtime's threads send them while the
 * application runs, except that a batch sent at once (one lock hold) is
 * merged here. In a world everything runs in the application's thread and
 * a signal to ourselves is handled before kill() returns, so the merge is
 * emulated: a standard signal for the same owner raised at the same
 * virtual instant with no sg_* call in between counts as still pending. */
static bool rt_sig_merged(struct rt_stack *rs, const struct rt_sig *s)
{
    if (s->sig >= SIGRTMIN)
        return false;
    for (uint32_t i = 0; i < rs->nsigs; i++)
        if (rs->sigs[i].owner == s->owner && rs->sigs[i].sig == s->sig)
            return true;
    if (rs->mode != RT_MODE_SIM)
        return false;
    sg_time t = rt_now(rs->st);
    uint64_t epoch = rt_api_epoch();
    uint32_t n = rs->nrecent < 4 ? rs->nrecent : 4;
    for (uint32_t i = 0; i < n; i++)
        if (rs->recent[i].owner == s->owner && rs->recent[i].sig == s->sig &&
            rs->recent[i].t == t && rs->recent[i].epoch == epoch)
            return true;
    uint32_t k = rs->nrecent++ % 4;
    rs->recent[k].owner = s->owner;
    rs->recent[k].sig = s->sig;
    rs->recent[k].t = t;
    rs->recent[k].epoch = epoch;
    return false;
}

static void rt_sig_queue(struct rt_stack *rs, const struct rt_sig *s)
{
    if (rt_sig_merged(rs, s))
        return;
    if (!rs->locked) {
        rt_sig_send(s, 1);
        return;
    }
    if (rs->nsigs == rs->sigs_cap) {
        uint32_t cap = rs->sigs_cap ? rs->sigs_cap * 2 : 8;
        struct rt_sig *n = realloc(rs->sigs, cap * sizeof(*n));
        if (!n)
            return; /* a lost signal, as when the kernel cannot allocate one */
        rs->sigs = n;
        rs->sigs_cap = cap;
    }
    rs->sigs[rs->nsigs++] = *s;
}

static void rt_sig_async(struct rt_stack *rs, struct rt_file *f, int code)
{
    struct rt_sig s = {.owner = f->owner, .sig = f->sigio ? f->sigio : SIGIO, .fd = f->num};
    if (f->sigio) {
        s.code = code;
        s.band = rt_sig_band(code);
    }
    rt_sig_queue(rs, &s);
}

void rt_sig_event(struct rt_stack *rs, struct rt_file *f, unsigned ev, unsigned mask)
{
    if (!f->owner || f->fd < 0)
        return;
    if (ev & SOCK_EV_SIGURG) {
        struct rt_sig s = {.owner = f->owner, .sig = SIGURG, .fd = f->num};
        rt_sig_queue(rs, &s);
    }
    if (!(atomic_load(&f->fl) & O_ASYNC) || rs->in_api)
        return;
    if ((ev & SOCK_EV_SIGURG) && f->sigio)
        rt_sig_async(rs, f, POLL_PRI);
    if (ev & SOCK_EV_ERROR)
        rt_sig_async(rs, f, POLL_ERR);
    if (ev & SOCK_EV_CONNECTED)
        rt_sig_async(rs, f, POLL_OUT);
    /* One sk_data_ready per engine wake-up: data, a connection to accept,
     * or the urgent byte arriving (tcp_urg wakes readers, R22). */
    if ((ev & (SOCK_EV_READABLE | SOCK_EV_ACCEPT)) || ((ev & SOCK_EV_URGENT) && (mask & POLLPRI)))
        rt_sig_async(rs, f, POLL_IN);
    else if (ev & SOCK_EV_HUP)
        rt_sig_async(rs, f, (mask & POLLHUP) ? POLL_HUP : POLL_IN);
    if ((ev & SOCK_EV_WRITABLE) && f->nospace && (mask & POLLOUT)) {
        f->nospace = false;
        rt_sig_async(rs, f, POLL_OUT);
    }
}

void rt_sig_send(const struct rt_sig *sigs, uint32_t n)
{
    int saved = errno;
    pid_t self = getpid();
    for (uint32_t i = 0; i < n; i++) {
        const struct rt_sig *s = &sigs[i];
        if (s->owner == self) {
            /* To ourselves the kernel's own siginfo can be given: si_code
             * POLL_* with band and fd for F_SETSIG, else SI_KERNEL as
             * send_sigurg / send_sigio leave it. */
            siginfo_t si;
            memset(&si, 0, sizeof(si));
            si.si_signo = s->sig;
            si.si_code = s->code ? s->code : SI_KERNEL;
            if (s->code) {
                si.si_band = s->band;
                si.si_fd = s->fd;
            }
            if (syscall(SYS_rt_sigqueueinfo, self, s->sig, &si) == 0)
                continue;
        }
        kill(s->owner, s->sig); /* owner < 0: the process group */
    }
    errno = saved;
}

void rt_sig_pipe(void)
{
    pthread_kill(pthread_self(), SIGPIPE);
}

int rt_sig_check_owner(pid_t owner)
{
    if (owner == 0)
        return 0;
    if (kill(owner, 0) < 0 && errno == ESRCH)
        return -ESRCH;
    return 0;
}

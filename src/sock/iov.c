/* iovec helpers shared by the transports' socket code (sock/sock.h). */
#include <string.h>
#include "sock/sock.h"

size_t sock_iov_len(const struct iovec *iov, int iovcnt)
{
    size_t n = 0;
    for (int i = 0; i < iovcnt; i++)
        n += iov[i].iov_len;
    return n;
}

bool sock_iov_faulty(const struct iovec *iov, int iovcnt)
{
    for (int i = 0; i < iovcnt; i++)
        if (!iov[i].iov_base && iov[i].iov_len)
            return true;
    return false;
}

size_t sock_iov_gather(void *dst, const struct iovec *iov, int iovcnt, size_t len)
{
    size_t done = 0;
    for (int i = 0; i < iovcnt && done < len; i++) {
        size_t n = iov[i].iov_len < len - done ? iov[i].iov_len : len - done;
        if (n)
            memcpy((uint8_t *)dst + done, iov[i].iov_base, n);
        done += n;
    }
    return done;
}

size_t sock_iov_scatter(const struct iovec *iov, int iovcnt, const void *src, size_t len)
{
    size_t done = 0;
    for (int i = 0; i < iovcnt && done < len; i++) {
        size_t n = iov[i].iov_len < len - done ? iov[i].iov_len : len - done;
        if (n)
            memcpy(iov[i].iov_base, (const uint8_t *)src + done, n);
        done += n;
    }
    return done;
}

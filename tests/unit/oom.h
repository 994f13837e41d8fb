/* Shared by the base-layer tests that exercise allocation failure.
 *
 * Make allocations above about 1 MiB fail during oom_begin()..oom_end():
 * ASan's allocator cap in the sanitizer build (it holds for the whole
 * process, so the other tests in that program stay below it), an
 * address-space limit otherwise. Include once per test program, after
 * <cmocka.h>, <stdio.h>, <sys/resource.h> and <unistd.h>. */
#ifndef SG_TEST_OOM_H
#define SG_TEST_OOM_H
#if defined(__SANITIZE_ADDRESS__)
#define OOM_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define OOM_ASAN 1
#endif
#endif
#ifdef OOM_ASAN
const char *__asan_default_options(void);
const char *__asan_default_options(void)
{
    return "allocator_may_return_null=1:max_allocation_size_mb=1";
}
static void oom_begin(void) {}
static void oom_end(void) {}
#else
static struct rlimit oom_saved;
static void oom_begin(void)
{
    long pages = 0;
    FILE *f = fopen("/proc/self/statm", "r");
    assert_non_null(f);
    assert_int_equal(fscanf(f, "%ld", &pages), 1);
    fclose(f);
    assert_int_equal(getrlimit(RLIMIT_AS, &oom_saved), 0);
    struct rlimit r = oom_saved;
    r.rlim_cur = (rlim_t)pages * (rlim_t)sysconf(_SC_PAGESIZE) + (1u << 20);
    assert_int_equal(setrlimit(RLIMIT_AS, &r), 0);
}
static void oom_end(void)
{
    assert_int_equal(setrlimit(RLIMIT_AS, &oom_saved), 0);
}
#endif
#endif /* SG_TEST_OOM_H */

/* SACK scoreboard (RFC 6675) and D-SACK detection (RFC 2883 §4), with
 * scenarios built segment by segment, plus a randomized comparison with a
 * byte-by-byte reading of the RFC's definitions. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "tcp/sack.h"
#include "tcp/seq.h"

#define MSS 1000u
/* Unwrapped ISN close to 2^32 on the wire, so SACK blocks wrap. */
#define ISS (SEQ_UNWRAP_BASE + 0xffffd000u)
#define SEG(i) (ISS + (uint64_t)(i)*MSS)

static struct tcp_sack_block blk(uint64_t s, uint64_t e)
{
    return (struct tcp_sack_block){seq_wrap(s), seq_wrap(e)};
}

/* SACK whole segments [a, b) in one block. */
static void ack_with(struct sack_board *sb, uint64_t una, uint64_t nxt, int a, int b,
                     struct sack_update *u)
{
    struct tcp_sack_block bl = blk(SEG(a), SEG(b));
    sack_on_ack(sb, una, nxt, &bl, 1, u);
}

static void test_sack_single_loss_lost_after_three_segments_sacked(void **state)
{
    (void)state;
    struct sack_board sb;
    sack_init(&sb, MSS, 0);
    uint64_t una = SEG(0), nxt = SEG(10);
    struct sack_update u;
    /* segment 0 lost; 1, 2, 3 arrive: each dupack SACKs one more */
    ack_with(&sb, una, nxt, 1, 2, &u);
    assert_int_equal(u.newly_sacked, MSS);
    assert_int_equal(u.nvalid, 1);
    assert_false(sack_is_lost(&sb, una));
    ack_with(&sb, una, nxt, 1, 3, &u);
    assert_int_equal(u.newly_sacked, MSS);
    /* exactly (DupThresh - 1) * SMSS above: not yet "more than" */
    assert_false(sack_is_lost(&sb, una));
    ack_with(&sb, una, nxt, 1, 4, &u);
    assert_true(sack_is_lost(&sb, una));
    assert_int_equal(sack_sacked_bytes(&sb), 3 * MSS);
    assert_int_equal(sack_ranges(&sb), 1);
    assert_int_equal(sack_high_sacked(&sb, una), SEG(4));
    assert_false(sack_is_lost(&sb, SEG(2))); /* SACKed bytes are never lost */
    assert_false(sack_is_lost(&sb, SEG(5)));
    /* pipe: unSACKed and not lost = segments 4..9 */
    assert_int_equal(sack_pipe(&sb, una, nxt), 6 * MSS);
    sack_free(&sb);
}

static void test_sack_is_lost_by_count_and_by_bytes(void **state)
{
    (void)state;
    struct sack_board sb;
    sack_init(&sb, MSS, 0);
    uint64_t una = SEG(0), nxt = SEG(20);
    /* three discontiguous 100-byte SACKed pieces: 300 bytes, 3 ranges */
    struct tcp_sack_block b[3] = {blk(SEG(5), SEG(5) + 100), blk(SEG(7), SEG(7) + 100),
                                  blk(SEG(9), SEG(9) + 100)};
    sack_on_ack(&sb, una, nxt, b, 3, NULL);
    assert_true(sack_is_lost(&sb, SEG(4)));
    assert_false(sack_is_lost(&sb, SEG(6))); /* only 2 ranges above */
    assert_int_equal(sack_lost_bound(&sb, una), SEG(5));
    sack_free(&sb);

    /* one range of 2 * SMSS + 1 bytes: lost by bytes */
    sack_init(&sb, MSS, 0);
    struct tcp_sack_block one = blk(SEG(5), SEG(7) + 1);
    sack_on_ack(&sb, una, nxt, &one, 1, NULL);
    assert_true(sack_is_lost(&sb, SEG(4)));
    assert_true(sack_is_lost(&sb, una));
    assert_false(sack_is_lost(&sb, SEG(7) + 1));
    sack_free(&sb);
}

static void test_sack_recovery_nextseg_rules_1_to_4(void **state)
{
    (void)state;
    struct sack_board sb;
    sack_init(&sb, MSS, 0);
    uint64_t una = SEG(0), nxt = SEG(10);
    /* segments 0, 1, 3, 5, 7, 8, 9 missing; 2, 4, 6 SACKed */
    struct tcp_sack_block b[3] = {blk(SEG(6), SEG(7)), blk(SEG(4), SEG(5)), blk(SEG(2), SEG(3))};
    struct sack_update u;
    sack_on_ack(&sb, una, nxt, b, 3, &u);
    assert_false(u.dsack);
    assert_int_equal(u.nvalid, 3);
    assert_int_equal(sack_ranges(&sb), 3);
    assert_int_equal(sack_lost_bound(&sb, una), SEG(2));
    /* before recovery: not lost and unSACKed = 3, 5, 7, 8, 9 */
    assert_int_equal(sack_pipe(&sb, una, nxt), 5 * MSS);
    assert_true(sack_may_enter_recovery(&sb, una));

    struct sack_seg s;
    sack_enter_recovery(&sb, una, nxt, &s);
    assert_int_equal(s.kind, SACK_SEG_LOST);
    assert_int_equal(s.seq, SEG(0));
    assert_int_equal(s.len, MSS);
    assert_int_equal(sb.recovery_point, nxt);
    assert_false(sack_may_enter_recovery(&sb, una));
    /* (b): the retransmitted segment 0 counts once more */
    assert_int_equal(sack_pipe(&sb, una, nxt), 6 * MSS);

    /* rule 1: segment 1 is lost and above HighRxt */
    sack_next_seg(&sb, una, nxt, true, &s);
    assert_int_equal(s.kind, SACK_SEG_LOST);
    assert_int_equal(s.seq, SEG(1));
    assert_int_equal(s.len, MSS);
    sack_sent(&sb, &s);
    assert_int_equal(sb.high_rxt, SEG(2));
    assert_int_equal(sack_pipe(&sb, una, nxt), 7 * MSS);
    /* rule 2 before rule 3: new data when allowed */
    sack_next_seg(&sb, una, nxt, true, &s);
    assert_int_equal(s.kind, SACK_SEG_NEW);
    assert_int_equal(s.seq, nxt);
    /* rule 3 otherwise: segment 3, below the highest SACK, not lost */
    sack_next_seg(&sb, una, nxt, false, &s);
    assert_int_equal(s.kind, SACK_SEG_RETX);
    assert_int_equal(s.seq, SEG(3));
    sack_sent(&sb, &s);
    sack_next_seg(&sb, una, nxt, false, &s);
    assert_int_equal(s.kind, SACK_SEG_RETX);
    assert_int_equal(s.seq, SEG(5));
    sack_sent(&sb, &s);
    /* nothing below the highest SACK left; rescue not allowed yet
     * (HighACK has not passed RescueRxt, step 4.3) */
    sack_next_seg(&sb, una, nxt, false, &s);
    assert_int_equal(s.kind, SACK_SEG_NONE);

    /* retransmissions of 0 and 1 arrive: cumulative ACK to segment 3 */
    una = SEG(3);
    struct tcp_sack_block b2[2] = {blk(SEG(4), SEG(5)), blk(SEG(6), SEG(7))};
    sack_on_ack(&sb, una, nxt, b2, 2, &u);
    assert_int_equal(u.newly_sacked, 0);
    assert_int_equal(sack_sacked_bytes(&sb), 2 * MSS);
    /* rule 4: rescue, covering the highest unSACKed byte (segment 9) */
    sack_next_seg(&sb, una, nxt, false, &s);
    assert_int_equal(s.kind, SACK_SEG_RESCUE);
    assert_int_equal(s.seq, SEG(9));
    assert_int_equal(s.len, MSS);
    uint64_t hr = sb.high_rxt;
    sack_sent(&sb, &s);
    assert_int_equal(sb.high_rxt, hr); /* HighRxt MUST NOT be updated */
    assert_int_equal(sb.rescue_rxt, sb.recovery_point);
    sack_next_seg(&sb, una, nxt, false, &s);
    assert_int_equal(s.kind, SACK_SEG_NONE); /* one rescue per recovery */

    /* full ACK: recovery over */
    una = nxt;
    sack_on_ack(&sb, una, nxt, NULL, 0, &u);
    assert_int_equal(sack_sacked_bytes(&sb), 0);
    assert_true(una >= sb.recovery_point);
    sack_exit_recovery(&sb, una);
    assert_true(sack_may_enter_recovery(&sb, una));
    sack_free(&sb);
}

static void test_sack_retransmission_stops_at_sacked_byte(void **state)
{
    (void)state;
    struct sack_board sb;
    sack_init(&sb, MSS, 0);
    uint64_t una = SEG(0), nxt = SEG(10);
    struct tcp_sack_block b = blk(SEG(0) + 300, SEG(5));
    sack_on_ack(&sb, una, nxt, &b, 1, NULL);
    struct sack_seg s;
    sack_enter_recovery(&sb, una, nxt, &s);
    assert_int_equal(s.seq, SEG(0));
    assert_int_equal(s.len, 300);
    sack_free(&sb);
}

static void test_sack_rescue_below_top_sack_at_snd_nxt(void **state)
{
    (void)state;
    struct sack_board sb;
    sack_init(&sb, MSS, 0);
    uint64_t una = SEG(0), nxt = SEG(10);
    /* the tail is SACKed: the highest unSACKed byte is just below it */
    struct tcp_sack_block b = blk(SEG(8) + 500, SEG(10));
    sack_on_ack(&sb, una, nxt, &b, 1, NULL);
    struct sack_seg s;
    sack_enter_recovery(&sb, una, nxt, &s);
    /* the first retransmission is acked: HighACK passes RescueRxt */
    una = SEG(1) + 1;
    sack_advance(&sb, una);
    /* the rest below the SACKed tail is not lost (1 range, 1500 bytes
     * above it): rule 3 retransmits it */
    sack_next_seg(&sb, una, nxt, false, &s);
    assert_int_equal(s.kind, SACK_SEG_RETX);
    sack_sent(&sb,
              &(struct sack_seg){SACK_SEG_RETX, SEG(1) + 1, (uint32_t)(SEG(8) + 500 - SEG(1) - 1)});
    sack_next_seg(&sb, una, nxt, false, &s);
    assert_int_equal(s.kind, SACK_SEG_RESCUE);
    assert_int_equal(s.seq + s.len, SEG(8) + 500);
    assert_int_equal(s.len, MSS);
    sack_free(&sb);
}

static void test_sack_dsack_below_cumulative_ack(void **state)
{
    (void)state;
    struct sack_board sb;
    sack_init(&sb, MSS, 0);
    uint64_t una = SEG(5), nxt = SEG(10);
    struct tcp_sack_block b[2] = {blk(SEG(3), SEG(4)), blk(SEG(6), SEG(7))};
    struct sack_update u;
    sack_on_ack(&sb, una, nxt, b, 2, &u);
    assert_true(u.dsack);
    assert_int_equal(u.dsack_start, SEG(3));
    assert_int_equal(u.dsack_end, SEG(4));
    assert_int_equal(u.nvalid, 1);
    assert_int_equal(sack_sacked_bytes(&sb), MSS); /* D-SACK not recorded */
    sack_free(&sb);
}

static void test_sack_dsack_inside_second_block(void **state)
{
    (void)state;
    struct sack_board sb;
    sack_init(&sb, MSS, 0);
    uint64_t una = SEG(0), nxt = SEG(10);
    struct tcp_sack_block b[2] = {blk(SEG(5), SEG(5) + 500), blk(SEG(4), SEG(7))};
    struct sack_update u;
    sack_on_ack(&sb, una, nxt, b, 2, &u);
    assert_true(u.dsack);
    assert_int_equal(u.dsack_start, SEG(5));
    assert_int_equal(u.nvalid, 1);
    assert_int_equal(sack_sacked_bytes(&sb), 3 * MSS);
    /* a first block NOT inside the second is an ordinary SACK */
    struct tcp_sack_block c[2] = {blk(SEG(8), SEG(9)), blk(SEG(4), SEG(7))};
    sack_on_ack(&sb, una, nxt, c, 2, &u);
    assert_false(u.dsack);
    assert_int_equal(u.newly_sacked, MSS);
    sack_free(&sb);
}

static void test_sack_invalid_blocks_ignored(void **state)
{
    (void)state;
    struct sack_board sb;
    sack_init(&sb, MSS, 0);
    uint64_t una = SEG(2), nxt = SEG(10);
    struct tcp_sack_block b[4] = {
        blk(SEG(4), SEG(5)),  /* valid */
        blk(SEG(9), SEG(11)), /* beyond snd_nxt */
        blk(SEG(0), SEG(1)),  /* not first, entirely below snd_una */
        blk(SEG(6), SEG(6)),  /* empty */
    };
    struct sack_update u;
    sack_on_ack(&sb, una, nxt, b, 4, &u);
    assert_int_equal(u.nvalid, 1);
    assert_int_equal(u.ninvalid, 3);
    assert_false(u.dsack);
    assert_int_equal(sack_sacked_bytes(&sb), MSS);
    /* a block straddling snd_una is cut to it */
    struct tcp_sack_block c[2] = {blk(SEG(6), SEG(7)), blk(SEG(1), SEG(3))};
    sack_on_ack(&sb, una, nxt, c, 2, &u);
    assert_int_equal(u.nvalid, 2);
    assert_true(sack_is_sacked(&sb, SEG(2)));
    assert_int_equal(sack_sacked_bytes(&sb), 3 * MSS);
    sack_free(&sb);
}

static void test_sack_cumulative_ack_advances_scoreboard(void **state)
{
    (void)state;
    struct sack_board sb;
    sack_init(&sb, MSS, 0);
    uint64_t una = SEG(0), nxt = SEG(10);
    struct tcp_sack_block b[2] = {blk(SEG(2), SEG(4)), blk(SEG(6), SEG(8))};
    sack_on_ack(&sb, una, nxt, b, 2, NULL);
    sack_advance(&sb, SEG(3));
    assert_int_equal(sack_sacked_bytes(&sb), 3 * MSS);
    sack_advance(&sb, SEG(9));
    assert_int_equal(sack_sacked_bytes(&sb), 0);
    assert_int_equal(sack_ranges(&sb), 0);
    sack_free(&sb);
}

static void test_sack_rto_clears_and_guards_recovery(void **state)
{
    (void)state;
    struct sack_board sb;
    sack_init(&sb, MSS, 0);
    uint64_t una = SEG(0), nxt = SEG(10);
    ack_with(&sb, una, nxt, 2, 6, NULL);
    struct sack_seg s;
    sack_enter_recovery(&sb, una, nxt, &s);
    nxt = SEG(12);
    sack_on_rto(&sb, una, nxt);
    assert_false(sb.in_recovery);
    assert_int_equal(sack_sacked_bytes(&sb), 0);
    assert_false(sack_may_enter_recovery(&sb, SEG(11)));
    assert_true(sack_may_enter_recovery(&sb, SEG(12)));
    sack_free(&sb);
}

static void test_sack_max_ranges_bounds_memory(void **state)
{
    (void)state;
    struct sack_board sb;
    sack_init(&sb, MSS, 2);
    uint64_t una = SEG(0), nxt = SEG(10);
    struct tcp_sack_block b[3] = {blk(SEG(1), SEG(2)), blk(SEG(3), SEG(4)), blk(SEG(5), SEG(6))};
    struct sack_update u;
    sack_on_ack(&sb, una, nxt, b, 3, &u);
    assert_int_equal(u.nvalid, 2);
    assert_int_equal(u.ignored_nomem, 1);
    assert_int_equal(sack_ranges(&sb), 2);
    /* extending an existing range needs no node */
    struct tcp_sack_block c = blk(SEG(2), SEG(3));
    sack_on_ack(&sb, una, nxt, &c, 1, &u);
    assert_int_equal(u.nvalid, 1);
    assert_int_equal(sack_ranges(&sb), 1);
    sack_free(&sb);
}

/* ---- randomized: compare with the RFC's octet-by-octet definitions ---- */

static uint64_t t_rand(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

#define W 600 /* bytes in flight in the model; SMSS 10 */
#define SM 10u

/* IsLost by its definition: count the SACKed ranges starting above byte
 * i and the SACKed bytes above it (suffix sums, computed per board). */
struct octets {
    uint8_t sk[W + 1];
    int ranges_above[W + 1], bytes_above[W + 1];
};

static void octets_index(struct octets *o)
{
    o->sk[W] = 0;
    o->ranges_above[W - 1] = 0;
    o->bytes_above[W - 1] = 0;
    for (int i = W - 2; i >= 0; i--) {
        int j = i + 1;
        o->ranges_above[i] = o->ranges_above[j] + (o->sk[j] && !o->sk[j - 1]);
        o->bytes_above[i] = o->bytes_above[j] + o->sk[j];
    }
}

static int naive_lost(const struct octets *o, int i)
{
    return !o->sk[i] && (o->ranges_above[i] >= 3 || o->bytes_above[i] > 2 * (int)SM);
}

static void test_sack_random_vs_octet_model(void **state)
{
    (void)state;
    uint64_t seed = 42;
    for (int iter = 0; iter < 3000; iter++) {
        struct sack_board sb;
        sack_init(&sb, SM, 0);
        static struct octets o;
        memset(&o, 0, sizeof o);
        uint8_t *sk = o.sk;
        uint64_t una = ISS, nxt = ISS + W;
        int nb = 1 + (int)(t_rand(&seed) % 30);
        for (int k = 0; k < nb; k++) {
            int a = 1 + (int)(t_rand(&seed) % (W - 1));
            int l = 1 + (int)(t_rand(&seed) % 40);
            if (a + l > W)
                l = W - a;
            struct tcp_sack_block b = blk(una + (uint64_t)a, una + (uint64_t)(a + l));
            sack_on_ack(&sb, una, nxt, &b, 1, NULL);
            memset(&sk[a], 1, (size_t)l);
        }
        octets_index(&o);
        int hs = 0, lost_bound = 0;
        uint64_t sacked = 0;
        for (int i = 0; i < W; i++) {
            sacked += sk[i];
            if (sk[i])
                hs = i + 1;
            assert_int_equal(sack_is_sacked(&sb, una + (uint64_t)i), sk[i]);
            int nl = naive_lost(&o, i);
            assert_int_equal(sack_is_lost(&sb, una + (uint64_t)i), nl);
            if (nl)
                lost_bound = i + 1;
        }
        assert_int_equal(sack_sacked_bytes(&sb), sacked);
        assert_true(sack_lost_bound(&sb, una) >= una + (uint64_t)lost_bound);

        struct sack_seg s0;
        sack_enter_recovery(&sb, una, nxt, &s0);
        int high_rxt = (int)(s0.seq + s0.len - una);
        /* a random amount retransmitted */
        int extra = (int)(t_rand(&seed) % W);
        if (extra > high_rxt)
            sb.high_rxt = una + (uint64_t)extra, high_rxt = extra;
        uint64_t pipe = 0;
        for (int i = 0; i < W; i++) {
            if (sk[i])
                continue;
            pipe += !naive_lost(&o, i);
            pipe += i < high_rxt;
        }
        assert_int_equal(sack_pipe(&sb, una, nxt), pipe);

        /* NextSeg rules 1 and 3 */
        int s2 = -1;
        for (int i = high_rxt; i < hs; i++)
            if (!sk[i]) {
                s2 = i;
                break;
            }
        struct sack_seg s;
        sack_next_seg(&sb, una, nxt, false, &s);
        if (s2 >= 0) {
            assert_int_equal(s.kind, naive_lost(&o, s2) ? SACK_SEG_LOST : SACK_SEG_RETX);
            assert_int_equal(s.seq, una + (uint64_t)s2);
            int len = 0;
            while (s2 + len < W && !sk[s2 + len] && len < (int)SM)
                len++;
            assert_int_equal(s.len, len);
        } else {
            assert_true(s.kind == SACK_SEG_NONE || s.kind == SACK_SEG_RESCUE);
        }
        sack_free(&sb);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sack_single_loss_lost_after_three_segments_sacked),
        cmocka_unit_test(test_sack_is_lost_by_count_and_by_bytes),
        cmocka_unit_test(test_sack_recovery_nextseg_rules_1_to_4),
        cmocka_unit_test(test_sack_retransmission_stops_at_sacked_byte),
        cmocka_unit_test(test_sack_rescue_below_top_sack_at_snd_nxt),
        cmocka_unit_test(test_sack_dsack_below_cumulative_ack),
        cmocka_unit_test(test_sack_dsack_inside_second_block),
        cmocka_unit_test(test_sack_invalid_blocks_ignored),
        cmocka_unit_test(test_sack_cumulative_ack_advances_scoreboard),
        cmocka_unit_test(test_sack_rto_clears_and_guards_recovery),
        cmocka_unit_test(test_sack_max_ranges_bounds_memory),
        cmocka_unit_test(test_sack_random_vs_octet_model),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

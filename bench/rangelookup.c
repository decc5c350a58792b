/*
 * rangelookup: the cost of "which tracked lock range holds this address",
 * measured in the kernel with BPF_PROG_TEST_RUN and repeat, for the range
 * index of bpf/rangeidx.bpf.h (the code the contention tracepoint runs)
 * beside an empty program (the floor) and a binary search over a sorted
 * BPF array (the reference design), all three in the same run.
 *
 * The ranges are synthetic but shaped like the map walker's output on a
 * 2-CPU host: per map, a freeze_mutex (32 bytes) and a spinlock inside a
 * kmalloc-1k object, two 16-byte per-CPU lock structs, and a bucket array
 * of 16 to 16,384 buckets of 16 bytes (kmalloc slabs up to 8 KiB, vmalloc
 * above).  Only addresses are compared: nothing is dereferenced.
 *
 * Figures are ns per lookup from the wall clock around each test run:
 * the fastest of several interleaved trials (the least disturbed on a
 * shared machine), pinned to one CPU; "net" is minus the empty program.
 * Hot: the same address on every run (median over several addresses);
 * cold: the next of 65,536 random addresses on every run.
 *
 * Usage: rangelookup [-r repeat] [-t trials]   (as root)
 */
#include "config.h"

#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "../privd/rangeidx.h"

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wcast-qual"
#include "rangelookup.skel.h"
#pragma GCC diagnostic pop

#define NADDRS		65536
#define NHOT		8
#define MAXTRIALS	15

struct bs_ent {
	uint64_t	start;
	uint64_t	len;
};

static uint64_t rng = 0x2545F4914F6CDD1DULL;

static uint64_t
rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static int
cmp_start(const void *a, const void *b)
{
	const struct ri_range *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

/* n ranges shaped like a walk of n / 5 maps (see the file comment). */
static void
gen_ranges(struct ri_range *r, size_t n)
{
	uint64_t kobj = 0xffff888100000000ULL, pcpu = 0xffffe8ffff000000ULL;
	uint64_t slab[16], vmal = 0xffffc90000000000ULL, sz, a;
	unsigned int k, i;
	size_t m = 0;
	uint32_t id = 1;

	for (i = 0; i < 16; i++)
		slab[i] = 0xffff888200000000ULL + ((uint64_t)i << 30);
	while (m < n) {
		/* struct bpf_htab in kmalloc-1k, with gaps */
		kobj += 1024 * (1 + rnd() % 3);
		r[m++] = (struct ri_range){ kobj + 0x80, 32, 32, id, 0, 0 };
		if (m < n)
			r[m++] = (struct ri_range){ kobj + 0x240, 4, 4, id, 0,
			    0 };
		/* per-CPU lock structs, both CPUs' copies */
		pcpu += 16 * (1 + rnd() % 4);
		for (k = 0; k < 2 && m < n; k++)
			r[m++] = (struct ri_range){ pcpu + k * 0x200000ULL, 16,
			    16, id, 0, 0 };
		if (m >= n)
			break;
		k = 4 + (unsigned int)(rnd() % 11);	/* 2^4..2^14 buckets */
		sz = 16ULL << k;
		if (sz <= 8192) {
			slab[k] += sz * (1 + rnd() % 2);
			a = slab[k];
		} else {
			vmal += 4096;			/* guard page */
			a = vmal;
			vmal += sz;
		}
		r[m++] = (struct ri_range){ a, sz, 16, id, 0, RI_RF_BUCKETS };
		id++;
	}
	qsort(r, n, sizeof(*r), cmp_start);
}

/* The sorted reference search in user space. */
static long
bs_find(const struct ri_range *r, size_t n, uint64_t addr)
{
	size_t lo = 0, hi = n, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (r[mid].start <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0 || addr - r[lo - 1].start >= r[lo - 1].len)
		return -1;
	return (long)(lo - 1);
}

static uint64_t
hit_addr(const struct ri_range *r, size_t n)
{
	const struct ri_range *x = &r[rnd() % n];

	if (x->flags & RI_RF_BUCKETS)	/* a bucket's raw_lock */
		return x->start + (rnd() % (x->len / x->stride)) *
		    x->stride + 8;
	return x->start;
}

/* Near a tracked range (same granules) or anywhere in the regions. */
static uint64_t
miss_addr(const struct ri_range *r, size_t n)
{
	const struct ri_range *x;
	uint64_t a;

	for (;;) {
		x = &r[rnd() % n];
		if (rnd() & 1)
			a = x->start - 4096 + rnd() % (8192 + x->len);
		else
			a = (x->start & ~((1ULL << 32) - 1)) +
			    rnd() % (1ULL << 32);
		a &= ~3ULL;
		if (bs_find(r, n, a) < 0)
			return a;
	}
}

static double
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double
median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp_double);
	return v[n / 2];
}

/* ns per run of prog, one test run of `repeat` runs. */
static double
run_once(struct bpf_program *prog, unsigned int repeat)
{
	unsigned char pkt[64] = { [12] = 8 };	/* an IPv4 frame */
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = pkt,
	    .data_size_in = sizeof(pkt), .repeat = repeat);
	double t0, t1;

	t0 = now_ns();
	if (bpf_prog_test_run_opts(bpf_program__fd(prog), &o) != 0) {
		fprintf(stderr, "rangelookup: test run of %s: %s\n",
		    bpf_program__name(prog), strerror(errno));
		exit(1);
	}
	t1 = now_ns();
	return (t1 - t0) / repeat;
}

struct fig {
	double	empty, rindex, bsearch;
};

static double
minimum(const double *v, int n)
{
	double m = v[0];
	int i;

	for (i = 1; i < n; i++)
		if (v[i] < m)
			m = v[i];
	return m;
}

/* Interleaved trials of the three programs; the fastest of each. */
static struct fig
measure(struct rangelookup_bpf *s, unsigned int repeat, int trials)
{
	double e[MAXTRIALS] = { 0 }, x[MAXTRIALS] = { 0 }, b[MAXTRIALS] = { 0 };
	struct fig f;
	int t;

	for (t = 0; t < trials; t++) {
		s->bss->cursor = 0;
		e[t] = run_once(s->progs.empty_prog, repeat);
		s->bss->cursor = 0;
		x[t] = run_once(s->progs.idx_lookup, repeat);
		s->bss->cursor = 0;
		b[t] = run_once(s->progs.bs_lookup, repeat);
	}
	f.empty = minimum(e, trials);
	f.rindex = minimum(x, trials);
	f.bsearch = minimum(b, trials);
	return f;
}

static void *
map_mmap(struct bpf_map *m, size_t len)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED,
	    bpf_map__fd(m), 0);

	if (p == MAP_FAILED) {
		fprintf(stderr, "rangelookup: mmap of %s: %s\n",
		    bpf_map__name(m), strerror(errno));
		exit(1);
	}
	return p;
}

int
main(int argc, char **argv)
{
	static const size_t sizes[] = { 16, 1024, 16384, 131072 };
	static const char *const kinds[] = { "hit", "miss" };
	struct rangelookup_bpf *s;
	struct ri_range *r;
	struct rangeidx ix;
	struct ri_bucket *mb;
	struct ri_range *mr;
	struct bs_ent *ms;
	struct fig f, hot[NHOT], net16[2][2];
	double hx[NHOT], he[NHOT], hb[NHOT];
	unsigned int repeat = 50000, maxbits, si, kind, temp, h, bits;
	int trials = 15, ch;
	cpu_set_t cpus;
	size_t nmax = sizes[3], i, n;
	char err[512];
	uint64_t a;
	long want;

	while ((ch = getopt(argc, argv, "r:t:")) != -1) {
		switch (ch) {
		case 'r':
			repeat = (unsigned int)strtoul(optarg, NULL, 10);
			break;
		case 't':
			trials = atoi(optarg);
			break;
		default:
			fprintf(stderr, "usage: rangelookup [-r repeat] "
			    "[-t trials]\n");
			return 2;
		}
	}
	if (trials < 1 || trials > MAXTRIALS || repeat < 1) {
		fprintf(stderr, "rangelookup: 1 <= trials <= %d, repeat >= 1\n",
		    MAXTRIALS);
		return 2;
	}
	if ((r = calloc(nmax, sizeof(*r))) == NULL)
		return 1;
	/* the largest table any size needs */
	gen_ranges(r, nmax);
	maxbits = rangeidx_bits_for(rangeidx_entries(r, nmax));

	if ((s = rangelookup_bpf__open()) == NULL) {
		fprintf(stderr, "rangelookup: open: %s\n", strerror(errno));
		return 1;
	}
	bpf_map__set_max_entries(s->maps.bench_bkts, 1U << maxbits);
	bpf_map__set_max_entries(s->maps.bench_rids, (uint32_t)nmax);
	bpf_map__set_max_entries(s->maps.bench_sorted, (uint32_t)nmax);
	if (rangelookup_bpf__load(s) != 0) {
		fprintf(stderr, "rangelookup: load: %s (needs root)\n",
		    strerror(errno));
		return 1;
	}
	mb = map_mmap(s->maps.bench_bkts, sizeof(*mb) << maxbits);
	mr = map_mmap(s->maps.bench_rids, sizeof(*mr) * nmax);
	ms = map_mmap(s->maps.bench_sorted, sizeof(*ms) * nmax);

	CPU_ZERO(&cpus);
	CPU_SET(sched_getcpu(), &cpus);
	(void)sched_setaffinity(0, sizeof(cpus), &cpus);
	printf("rangelookup: %u repeats per test run, fastest of %d trials "
	    "(hot: median over %d addresses); ns per lookup\n", repeat, trials,
	    NHOT);
	printf("%8s %-4s %-4s %7s %7s %7s %8s %8s %8s %6s\n", "ranges", "kind",
	    "temp", "empty", "index", "bsearch", "idx-net", "bs-net", "bs/idx",
	    "B/rng");
	for (si = 0; si < 4; si++) {
		n = sizes[si];
		rng = 0x2545F4914F6CDD1DULL + n;
		gen_ranges(r, n);
		bits = rangeidx_bits_for(rangeidx_entries(r, n));
		if (rangeidx_build(&ix, r, n, bits, err, sizeof(err)) != 0) {
			fprintf(stderr, "rangelookup: %s\n", err);
			return 1;
		}
		memcpy(mb, ix.bkts, sizeof(*mb) << bits);
		memcpy(mr, r, sizeof(*r) * n);
		for (i = 0; i < n; i++)
			ms[i] = (struct bs_ent){ r[i].start, r[i].len };
		s->bss->geom.bits = bits;
		s->bss->geom.maxr = (uint32_t)nmax;
		s->bss->bs_n = (uint32_t)n;

		/* the index agrees with the reference on every address used */
		for (kind = 0; kind < 2; kind++) {
			for (i = 0; i < NADDRS; i++) {
				a = kind == 0 ? hit_addr(r, n) :
				    miss_addr(r, n);
				want = bs_find(r, n, a);
				if (rangeidx_lookup(&ix, r, a) != want) {
					fprintf(stderr, "rangelookup: index "
					    "and search disagree on %#llx\n",
					    (unsigned long long)a);
					return 1;
				}
				s->bss->addrs[i] = a;
			}
			/* ... and so does the BPF program, on 512 of them */
			s->bss->cold = 0;
			for (i = 0; i < 512; i++) {
				a = s->bss->addrs[i * 127];
				s->bss->hot_addr = a;
				run_once(s->progs.idx_lookup, 1);
				if (s->bss->sink == bs_find(r, n, a))
					continue;
				fprintf(stderr, "rangelookup: BPF index says "
				    "%ld for %#llx\n", s->bss->sink,
				    (unsigned long long)a);
				return 1;
			}
			for (temp = 0; temp < 2; temp++) {
				s->bss->cold = temp;
				if (temp == 1) {
					f = measure(s, repeat, trials);
				} else {
					for (h = 0; h < NHOT; h++) {
						s->bss->hot_addr =
						    s->bss->addrs[h * 97];
						hot[h] = measure(s, repeat,
						    trials);
						he[h] = hot[h].empty;
						hx[h] = hot[h].rindex;
						hb[h] = hot[h].bsearch;
					}
					f.empty = median(he, NHOT);
					f.rindex = median(hx, NHOT);
					f.bsearch = median(hb, NHOT);
				}
				if (si == 0) {
					net16[kind][temp].rindex =
					    f.rindex - f.empty;
					net16[kind][temp].bsearch =
					    f.bsearch - f.empty;
				}
				printf("%8zu %-4s %-4s %7.2f %7.2f %7.2f %8.2f "
				    "%8.2f %8.2f %6.1f\n", n, kinds[kind],
				    temp ? "cold" : "hot", f.empty, f.rindex,
				    f.bsearch, f.rindex - f.empty,
				    f.bsearch - f.empty,
				    (f.bsearch - f.empty) /
				    (f.rindex - f.empty),
				    (double)rangeidx_bytes(&ix) / (double)n);
				if (si > 0)
					printf("%8s %-4s %-4s index cost / "
					    "cost at 16 ranges: %.2fx\n", "",
					    "", "",
					    (f.rindex - f.empty) /
					    net16[kind][temp].rindex);
			}
		}
		printf("%8zu ranges: %zu candidates in %u buckets (2^%u, %.0f%% "
		    "of slots), longest spill %u; index %zu B + range table "
		    "%zu B per generation = %.1f B/range (buckets alone "
		    "%.1f)\n", n, ix.nentries, 1U << bits, bits,
		    100.0 * ix.nentries / (RI_SLOTS * (double)(1U << bits)),
		    ix.maxspan, sizeof(*mb) << bits, sizeof(*r) * n,
		    (double)rangeidx_bytes(&ix) / (double)n,
		    (double)(sizeof(*mb) << bits) / (double)n);
		rangeidx_free(&ix);
	}
	rangelookup_bpf__destroy(s);
	free(r);
	return 0;
}

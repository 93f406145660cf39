/* Node inventory: collection on this machine, the pure parsers on samples,
 * flatten, and the subprocess helper. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench/inventory.h"
#include "bench/subproc.h"

static const cJSON *path_get(const cJSON *root, const char *a, const char *b)
{
	const cJSON *o = cJSON_GetObjectItemCaseSensitive(root, a);
	return b ? cJSON_GetObjectItemCaseSensitive(o, b) : o;
}

static double num_at(const cJSON *root, const char *a, const char *b)
{
	const cJSON *it = path_get(root, a, b);
	assert_non_null(it);
	assert_true(cJSON_IsNumber(it));
	return it->valuedouble;
}

static const char *str_at(const cJSON *root, const char *a, const char *b)
{
	const cJSON *it = path_get(root, a, b);
	assert_non_null(it);
	assert_true(cJSON_IsString(it));
	return it->valuestring;
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* ---- collect on this machine ------------------------------------------- */

static void test_collect_sane(void **state)
{
	(void)state;
	cJSON *inv = anvil_inventory_collect("Open MPI v4.1.4,\n  package: Debian\n");
	assert_non_null(inv);
	assert_int_equal((int)num_at(inv, "schema", NULL), ANVIL_INVENTORY_SCHEMA);
	assert_true(strlen(str_at(inv, "hostname", NULL)) > 0);

	double sockets = num_at(inv, "cpu", "sockets"), cores = num_at(inv, "cpu", "cores");
	double threads = num_at(inv, "cpu", "threads");
	assert_true(sockets >= 1);
	assert_true(cores >= sockets);
	assert_true(threads >= cores);
	assert_true(strlen(str_at(inv, "cpu", "model")) > 0);
	assert_true(cJSON_IsArray(path_get(inv, "cpu", "flags")));

	assert_true(num_at(inv, "memory", "total_bytes") > 0);
	assert_true(num_at(inv, "numa", "count") >= 1);
	const cJSON *node0 = cJSON_GetArrayItem(path_get(inv, "numa", "nodes"), 0);
	assert_non_null(node0);
	assert_non_null(cJSON_GetObjectItemCaseSensitive(node0, "cpuset"));

	assert_true(strlen(str_at(inv, "os", "kernel")) > 0);
	assert_true(strlen(str_at(inv, "os", "arch")) > 0);
	assert_string_equal(str_at(inv, "libraries", "cjson"), cJSON_Version());
	assert_string_equal(str_at(inv, "libraries", "mpi"), "Open MPI v4.1.4, package: Debian");
	assert_true(strlen(str_at(inv, "libraries", "glibc")) > 0);
	assert_true(strlen(str_at(inv, "libraries", "hwloc")) > 0);

	/* Sections are there even where this machine has nothing to put in them. */
	assert_true(cJSON_IsObject(path_get(inv, "dmi", NULL)));
	assert_true(cJSON_IsObject(path_get(inv, "sysctls", NULL)));
	assert_true(cJSON_IsArray(path_get(inv, "gpus", NULL)));
	assert_int_equal(cJSON_GetArraySize(path_get(inv, "gpus", NULL)), 0);
	assert_true(cJSON_IsObject(path_get(inv, "volatile", NULL)));
	const cJSON *unread = path_get(inv, "unreadable", NULL), *u;
	assert_true(cJSON_IsArray(unread));
	cJSON_ArrayForEach(u, unread) {  /* "field: why" */
		assert_true(cJSON_IsString(u));
		assert_non_null(strstr(u->valuestring, ": "));
	}
	cJSON_Delete(inv);
}

static void test_collect_without_mpi(void **state)
{
	(void)state;
	cJSON *inv = anvil_inventory_collect(NULL);
	assert_non_null(inv);
	assert_null(path_get(inv, "libraries", "mpi"));
	cJSON_Delete(inv);
}

/* Two collections on one node flatten to the same thing: what the drift
 * check compares holds nothing that changes between runs. */
static void test_collect_is_stable(void **state)
{
	(void)state;
	cJSON *a = anvil_inventory_collect("mpi"), *b = anvil_inventory_collect("mpi");
	cJSON *fa = anvil_inventory_flatten(a), *fb = anvil_inventory_flatten(b);
	assert_non_null(fa);
	assert_non_null(fb);
	assert_true(cJSON_Compare(fa, fb, 1));
	const cJSON *it;
	cJSON_ArrayForEach(it, fa) {
		assert_false(cJSON_IsObject(it) || cJSON_IsArray(it));
		assert_true(strncmp(it->string, "volatile", 8) != 0);
		assert_true(strncmp(it->string, "unreadable", 10) != 0);
		assert_true(strcmp(it->string, "hostname") != 0);
	}
	assert_non_null(cJSON_GetObjectItemCaseSensitive(fa, "cpu.cores"));
	cJSON_Delete(fa);
	cJSON_Delete(fb);
	cJSON_Delete(a);
	cJSON_Delete(b);
}

/* ---- cpuinfo ---------------------------------------------------------------- */

/* Two sockets × 2 cores × 2 threads, cut to the lines that matter. */
static char *two_socket_cpuinfo(void)
{
	static const int phys[] = { 0, 0, 1, 1, 0, 0, 1, 1 };
	static const int core[] = { 0, 1, 0, 1, 0, 1, 0, 1 };
	size_t cap = 8192, len = 0;
	char *s = malloc(cap);
	assert_non_null(s);
	for (int i = 0; i < 8; i++)
		len += (size_t)snprintf(s + len, cap - len,
			"processor\t: %d\nvendor_id\t: GenuineIntel\ncpu family\t: 6\nmodel\t\t: 85\n"
			"model name\t: Intel(R) Xeon(R) Gold 6248 CPU @ 2.50GHz\nstepping\t: 7\n"
			"microcode\t: 0x5003604\ncpu MHz\t\t: 1000.123\nphysical id\t: %d\n"
			"siblings\t: 4\ncore id\t\t: %d\ncpu cores\t: 2\n"
			"flags\t\t: fpu sse sse2 avx fma avx2 avx512f avx512dq amx_tile avx512_bf16 ht\n\n",
			i, phys[i], core[i]);
	return s;
}

static void test_cpuinfo_two_sockets(void **state)
{
	(void)state;
	char *text = two_socket_cpuinfo();
	cJSON *cpu = cJSON_CreateObject();
	assert_int_equal(anvil_inventory_parse_cpuinfo(text, cpu), 8);
	assert_int_equal((int)num_at(cpu, "sockets", NULL), 2);
	assert_int_equal((int)num_at(cpu, "cores", NULL), 4);
	assert_int_equal((int)num_at(cpu, "threads", NULL), 8);
	assert_string_equal(str_at(cpu, "model", NULL), "Intel(R) Xeon(R) Gold 6248 CPU @ 2.50GHz");
	assert_string_equal(str_at(cpu, "vendor", NULL), "GenuineIntel");
	assert_string_equal(str_at(cpu, "microcode", NULL), "0x5003604");
	assert_int_equal((int)num_at(cpu, "family", NULL), 6);
	assert_int_equal((int)num_at(cpu, "model_number", NULL), 85);
	assert_int_equal((int)num_at(cpu, "base_mhz", NULL), 2500);
	assert_string_equal(str_at(cpu, "base_mhz_source", NULL), "cpuinfo model name");
	char *flags = cJSON_PrintUnformatted(path_get(cpu, "flags", NULL));
	assert_string_equal(flags,
		"[\"amx_tile\",\"avx\",\"avx2\",\"avx512_bf16\",\"avx512dq\",\"avx512f\",\"fma\"]");
	free(flags);
	cJSON_Delete(cpu);
	free(text);
}

static void test_cpuinfo_arm(void **state)
{
	(void)state;
	const char *text =
		"processor\t: 0\nBogoMIPS\t: 2000.00\n"
		"Features\t: fp asimd evtstrm aes pmull sha1 sha2 crc32 atomics fphp asimdhp "
		"cpuid asimdrdm jscvt fcma lrcpc dcpop sha3 sm3 sm4 asimddp sha512 sve asimdfhm "
		"dit uscat ilrcpc flagm ssbs sb paca pacg dcpodp sve2 sveaes svepmull svebitperm "
		"svesha3 svesm4 flagm2 frint svei8mm svebf16 i8mm bf16 dgh rng bti\n"
		"CPU implementer\t: 0x41\nCPU architecture: 8\nCPU variant\t: 0x0\n"
		"CPU part\t: 0xd4f\nCPU revision\t: 0\n\n"
		"processor\t: 1\nFeatures\t: fp asimd\nCPU implementer\t: 0x41\nCPU part\t: 0xd4f\n";
	cJSON *cpu = cJSON_CreateObject();
	assert_int_equal(anvil_inventory_parse_cpuinfo(text, cpu), 2);
	assert_string_equal(str_at(cpu, "vendor", NULL), "ARM");
	assert_string_equal(str_at(cpu, "model", NULL), "ARM part 0xd4f");
	assert_int_equal((int)num_at(cpu, "threads", NULL), 2);
	assert_null(path_get(cpu, "sockets", NULL));  /* Arm cpuinfo has no physical id */
	char *flags = cJSON_PrintUnformatted(path_get(cpu, "flags", NULL));
	assert_string_equal(flags, "[\"asimd\",\"asimddp\",\"asimdhp\",\"bf16\",\"fphp\",\"i8mm\","
				   "\"sve\",\"sve2\",\"svebf16\",\"svei8mm\"]");
	free(flags);
	cJSON_Delete(cpu);
}

/* Whatever order the kernel lists them in, the list comes out sorted. */
static void test_cpuinfo_flags_sorted(void **state)
{
	(void)state;
	const char *text = "processor : 0\nflags : svei8mm sve2 sve sme2 sme i8mm fphp fma4 fma "
			   "bf16 avx_vnni avx512vl avx512ifma avx512f avx512dq avx512cd avx512bw "
			   "avx512_vnni avx512_fp16 avx512_bf16 avx2 avx asimdhp asimddp asimd "
			   "amx_tile amx_int8 amx_fp16 amx_bf16 svebf16 sse2\n";
	cJSON *cpu = cJSON_CreateObject();
	assert_int_equal(anvil_inventory_parse_cpuinfo(text, cpu), 1);
	const cJSON *flags = path_get(cpu, "flags", NULL), *f, *prev = NULL;
	assert_int_equal(cJSON_GetArraySize(flags), 30);
	cJSON_ArrayForEach(f, flags) {
		if (prev)
			assert_true(strcmp(prev->valuestring, f->valuestring) < 0);
		prev = f;
	}
	cJSON_Delete(cpu);
}

static void test_cpuinfo_not_cpuinfo(void **state)
{
	(void)state;
	cJSON *cpu = cJSON_CreateObject();
	assert_int_equal(anvil_inventory_parse_cpuinfo("", cpu), 0);
	assert_int_equal(anvil_inventory_parse_cpuinfo("hello\n:\n::::\nmodel name:\n", cpu), 0);
	assert_int_equal(anvil_inventory_parse_cpuinfo(NULL, cpu), 0);
	cJSON_Delete(cpu);
}

/* ---- meminfo, choice files, os-release ---------------------------------- */

static void test_meminfo(void **state)
{
	(void)state;
	const char *text = "MemTotal:       263842356 kB\nMemFree:        1000 kB\n"
			   "MemAvailable:   2000 kB\nHugePages_Total:      16\nHugepagesize:       2048 kB\n";
	assert_int_equal(anvil_inventory_meminfo_kb(text, "MemTotal"), 263842356LL);
	assert_int_equal(anvil_inventory_meminfo_kb(text, "MemAvailable"), 2000);
	assert_int_equal(anvil_inventory_meminfo_kb(text, "HugePages_Total"), 16);
	assert_int_equal(anvil_inventory_meminfo_kb(text, "Hugepagesize"), 2048);
	assert_int_equal(anvil_inventory_meminfo_kb(text, "Mem"), -1);  /* whole key only */
	assert_int_equal(anvil_inventory_meminfo_kb(text, "SwapTotal"), -1);
	assert_int_equal(anvil_inventory_meminfo_kb("", "MemTotal"), -1);
}

static void test_selected(void **state)
{
	(void)state;
	char out[32];
	assert_int_equal(anvil_inventory_parse_selected("always [madvise] never", out, sizeof(out)), 0);
	assert_string_equal(out, "madvise");
	assert_int_equal(anvil_inventory_parse_selected("[always] madvise never\n", out, sizeof(out)), 0);
	assert_string_equal(out, "always");
	assert_int_equal(anvil_inventory_parse_selected(
		"always defer defer+madvise [defer+madvise] never", out, sizeof(out)), 0);
	assert_string_equal(out, "defer+madvise");
	assert_int_equal(anvil_inventory_parse_selected("always madvise never", out, sizeof(out)), -1);
	assert_string_equal(out, "");
	assert_int_equal(anvil_inventory_parse_selected("[] never", out, sizeof(out)), -1);
	assert_int_equal(anvil_inventory_parse_selected("[always never", out, sizeof(out)), -1);
	assert_int_equal(anvil_inventory_parse_selected("always [madvise] never", out, 4), -1);
}

static void test_os_release(void **state)
{
	(void)state;
	const char *text = "# a comment\nNAME=\"Rocky Linux\"\nVERSION=\"9.3 (Blue Onyx)\"\n"
			   "ID=\"rocky\"\nID_LIKE=\"rhel centos fedora\"\nVERSION_ID='9.3'\n"
			   "PRETTY_NAME=\"Rocky Linux 9.3 \\\"Blue Onyx\\\" \\$x\"\n";
	cJSON *os = cJSON_CreateObject();
	assert_int_equal(anvil_inventory_parse_os_release(text, os), 3);
	assert_string_equal(str_at(os, "pretty_name", NULL), "Rocky Linux 9.3 \"Blue Onyx\" $x");
	assert_string_equal(str_at(os, "version_id", NULL), "9.3");
	assert_string_equal(str_at(os, "id", NULL), "rocky");
	cJSON_Delete(os);

	os = cJSON_CreateObject();
	assert_int_equal(anvil_inventory_parse_os_release("ID=debian\nVERSION_ID=12\n", os), 2);
	assert_string_equal(str_at(os, "id", NULL), "debian");
	assert_string_equal(str_at(os, "version_id", NULL), "12");
	assert_null(path_get(os, "pretty_name", NULL));
	assert_int_equal(anvil_inventory_parse_os_release("garbage\n=\n", os), 0);
	cJSON_Delete(os);
}

/* ---- SMBIOS ------------------------------------------------------------------ */

struct table {
	unsigned char b[1024];
	size_t len;
};

static void put16(unsigned char *p, unsigned v) { p[0] = v & 0xff; p[1] = v >> 8; }
static void put32(unsigned char *p, uint32_t v) { put16(p, v & 0xffff); put16(p + 2, v >> 16); }

/* Appends a structure: formatted area f[flen], then strings (NUL-separated,
 * given with their lengths), then the terminating NUL(s). */
static void put_struct(struct table *t, const unsigned char *f, size_t flen, const char *strs,
		       size_t slen)
{
	memcpy(t->b + t->len, f, flen);
	t->len += flen;
	if (slen) {
		memcpy(t->b + t->len, strs, slen);  /* includes the last string's NUL */
		t->len += slen;
		t->b[t->len++] = 0;
	} else {
		t->b[t->len++] = 0;
		t->b[t->len++] = 0;
	}
	assert_true(t->len < sizeof(t->b) - 128);
}

/* A type-17 device of SMBIOS 3.3 length (0x5c) with strings 1..5 as
 * locator, bank, manufacturer, serial, part number. */
static void put_dimm(struct table *t, unsigned handle, unsigned size, uint32_t ext_size,
		     unsigned mem_type, unsigned speed, uint32_t ext_speed, unsigned conf,
		     const char *strs, size_t slen)
{
	unsigned char f[0x5c] = { 0 };
	f[0] = 17;
	f[1] = sizeof(f);
	put16(f + 2, handle);
	put16(f + 0x08, 72);
	put16(f + 0x0a, 64);
	put16(f + 0x0c, size);
	f[0x0e] = 0x09;
	f[0x10] = 1;
	f[0x11] = 2;
	f[0x12] = (unsigned char)mem_type;
	put16(f + 0x15, speed);
	f[0x17] = 3;
	f[0x18] = 4;
	f[0x1a] = 5;
	f[0x1b] = 2;  /* rank 2 */
	put32(f + 0x1c, ext_size);
	put16(f + 0x20, conf);
	put32(f + 0x54, ext_speed);
	put_struct(t, f, sizeof(f), strs, slen);
}

#define S(lit) lit, sizeof(lit)  /* a string-set literal and its size with the last NUL */

static void build_table(struct table *t)
{
	memset(t, 0, sizeof(*t));
	/* A BIOS structure first, so the walk has to step over strings. */
	unsigned char bios[0x18] = { 0, 0x18, 0, 0, 1, 2, 0, 0xe0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 };
	put_struct(t, bios, sizeof(bios), S("American Megatrends\0" "2.1a\0" "01/02/2024"));
	put_dimm(t, 0x1100, 16 * 1024, 0, 0x22, 4800, 0, 4400,
		 S("DIMM_A1\0" "P0 CHANNEL A\0" "Samsung\0" "S3R14L\0" "M321R4GA3BB6-CQKET   "));
	put_dimm(t, 0x1101, 0, 0, 0x02, 0, 0, 0,
		 S("DIMM_B1\0" "P0 CHANNEL B\0" "NO DIMM\0" "NO DIMM\0" "NO DIMM"));
	put_dimm(t, 0x1102, 0x7fff, 64 * 1024, 0x22, 0xffff, 5600, 5200,
		 S("DIMM_C1\0" "P0 CHANNEL C\0" "Micron\0" "X1\0" "MTC40F2046S1RC56BD1"));
	unsigned char end[4] = { 127, 4, 0xff, 0xff };
	put_struct(t, end, sizeof(end), NULL, 0);
}

static void test_smbios_dimms(void **state)
{
	(void)state;
	struct table t;
	char err[200];
	build_table(&t);
	cJSON *mem = cJSON_CreateObject();
	assert_int_equal(anvil_inventory_parse_smbios(t.b, t.len, mem, err, sizeof(err)), 3);
	assert_string_equal(err, "");
	assert_int_equal((int)num_at(mem, "dimm_slots", NULL), 3);
	assert_int_equal((int)num_at(mem, "dimm_count", NULL), 2);
	assert_true(num_at(mem, "dimm_total_bytes", NULL) == 80.0 * (1 << 30));
	const cJSON *dimms = path_get(mem, "dimms", NULL);
	assert_int_equal(cJSON_GetArraySize(dimms), 2);

	const cJSON *a = cJSON_GetArrayItem(dimms, 0), *c = cJSON_GetArrayItem(dimms, 1);
	assert_string_equal(str_at(a, "locator", NULL), "DIMM_A1");
	assert_string_equal(str_at(a, "bank", NULL), "P0 CHANNEL A");
	assert_string_equal(str_at(a, "manufacturer", NULL), "Samsung");
	assert_string_equal(str_at(a, "part_number", NULL), "M321R4GA3BB6-CQKET");  /* trimmed */
	assert_string_equal(str_at(a, "type", NULL), "DDR5");
	assert_true(num_at(a, "size_bytes", NULL) == 16.0 * (1 << 30));  /* size word, MiB */
	assert_int_equal((int)num_at(a, "speed_mts", NULL), 4800);
	assert_int_equal((int)num_at(a, "configured_mts", NULL), 4400);
	assert_int_equal((int)num_at(a, "rank", NULL), 2);
	assert_null(path_get(a, "serial", NULL));  /* differs on identical nodes */

	assert_string_equal(str_at(c, "locator", NULL), "DIMM_C1");
	assert_true(num_at(c, "size_bytes", NULL) == 64.0 * (1 << 30));  /* extended size */
	assert_int_equal((int)num_at(c, "speed_mts", NULL), 5600);       /* extended speed */
	cJSON_Delete(mem);
}

/* An SMBIOS 2.1-length device (0x15 bytes): no speed, no part number. */
static void test_smbios_short_device(void **state)
{
	(void)state;
	struct table t = { .len = 0 };
	unsigned char f[0x15] = { 17, 0x15, 0, 0 };
	put16(f + 0x0c, 0x8000 | 512);  /* 512 KiB: granularity bit */
	f[0x10] = 1;
	f[0x12] = 0x0f;
	put_struct(&t, f, sizeof(f), S("BANK 0"));
	cJSON *mem = cJSON_CreateObject();
	char err[200];
	assert_int_equal(anvil_inventory_parse_smbios(t.b, t.len, mem, err, sizeof(err)), 1);
	const cJSON *d = cJSON_GetArrayItem(path_get(mem, "dimms", NULL), 0);
	assert_string_equal(str_at(d, "locator", NULL), "BANK 0");
	assert_string_equal(str_at(d, "type", NULL), "SDRAM");
	assert_int_equal((int)num_at(d, "size_bytes", NULL), 512 * 1024);
	assert_null(path_get(d, "speed_mts", NULL));
	assert_null(path_get(d, "part_number", NULL));
	cJSON_Delete(mem);
}

/* Every prefix of a good table, and bytes changed one at a time: the parser
 * never reads out of bounds (run under ASan to see it) and says where. */
static void test_smbios_malformed(void **state)
{
	(void)state;
	struct table t;
	char err[200];
	build_table(&t);
	for (size_t len = 0; len <= t.len; len++) {
		unsigned char *copy = malloc(len ? len : 1);  /* exact size: ASan sees overreads */
		memcpy(copy, t.b, len);
		cJSON *mem = cJSON_CreateObject();
		int rc = anvil_inventory_parse_smbios(copy, len, mem, err, sizeof(err));
		if (rc < 0)
			assert_non_null(strstr(err, "offset 0x"));
		assert_true(rc <= 3);
		cJSON_Delete(mem);
		free(copy);
	}
	for (size_t i = 0; i < t.len; i++) {
		unsigned char *copy = malloc(t.len);
		memcpy(copy, t.b, t.len);
		copy[i] ^= 0xa5;
		cJSON *mem = cJSON_CreateObject();
		(void)anvil_inventory_parse_smbios(copy, t.len, mem, err, sizeof(err));
		cJSON_Delete(mem);
		free(copy);
	}

	unsigned char bad[8] = { 17, 2, 0, 0, 0, 0, 0, 0 };
	cJSON *mem = cJSON_CreateObject();
	assert_int_equal(anvil_inventory_parse_smbios(bad, sizeof(bad), mem, err, sizeof(err)), -1);
	assert_string_equal(err, "structure at offset 0x0: length 2, expected >= 4");
	assert_int_equal((int)num_at(mem, "dimm_slots", NULL), 0);
	cJSON_Delete(mem);

	/* The second structure is cut: the first one's DIMM is still reported. */
	build_table(&t);
	size_t first_dimm_end = 0x18 + sizeof("American Megatrends\0" "2.1a\0" "01/02/2024") + 1 +
				0x5c + sizeof("DIMM_A1\0" "P0 CHANNEL A\0" "Samsung\0" "S3R14L\0"
					      "M321R4GA3BB6-CQKET   ") + 1;
	mem = cJSON_CreateObject();
	assert_int_equal(anvil_inventory_parse_smbios(t.b, first_dimm_end + 10, mem, err, sizeof(err)),
			 -1);
	assert_non_null(strstr(err, "runs past the table end"));
	assert_int_equal((int)num_at(mem, "dimm_count", NULL), 1);
	cJSON_Delete(mem);
}

/* ---- flatten --------------------------------------------------------------- */

static void test_flatten(void **state)
{
	(void)state;
	cJSON *inv = cJSON_Parse(
		"{\"schema\":1,\"hostname\":\"n1\",\"cpu\":{\"model\":\"X\",\"flags\":[\"avx\",\"fma\"],"
		"\"caches\":{\"l3_bytes\":1048576},\"boost\":true},"
		"\"numa\":{\"count\":2,\"nodes\":[{\"cpuset\":\"0-3\"},{\"cpuset\":\"4-7\"}]},"
		"\"sysctls\":{\"vm.swappiness\":60},\"gpus\":[],\"dmi\":{},"
		"\"volatile\":{\"uptime_s\":3},\"unreadable\":[\"dmi: not present\"]}");
	assert_non_null(inv);
	cJSON *flat = anvil_inventory_flatten(inv);
	assert_non_null(flat);
	assert_string_equal(str_at(flat, "cpu.model", NULL), "X");
	assert_string_equal(str_at(flat, "cpu.flags", NULL), "avx fma");
	assert_int_equal((int)num_at(flat, "cpu.caches.l3_bytes", NULL), 1048576);
	assert_true(cJSON_IsTrue(path_get(flat, "cpu.boost", NULL)));
	assert_string_equal(str_at(flat, "numa.nodes.0.cpuset", NULL), "0-3");
	assert_string_equal(str_at(flat, "numa.nodes.1.cpuset", NULL), "4-7");
	assert_int_equal((int)num_at(flat, "sysctls.vm.swappiness", NULL), 60);
	assert_int_equal((int)num_at(flat, "schema", NULL), 1);
	assert_null(path_get(flat, "hostname", NULL));
	assert_null(path_get(flat, "volatile.uptime_s", NULL));
	assert_null(path_get(flat, "unreadable", NULL));
	assert_null(path_get(flat, "gpus", NULL));
	assert_null(path_get(flat, "dmi", NULL));
	assert_int_equal(cJSON_GetArraySize(flat), 9);
	cJSON_Delete(flat);
	cJSON_Delete(inv);

	/* indexes of two digits and more, and an element without members */
	cJSON *many = cJSON_Parse("{\"gpus\":[{\"i\":0},{\"i\":1},{\"i\":2},{\"i\":3},{\"i\":4},{\"i\":5},"
				  "{\"i\":6},{\"i\":7},{\"i\":8},{\"i\":9},{\"i\":10},{\"i\":11},{}]}");
	flat = anvil_inventory_flatten(many);
	assert_int_equal(cJSON_GetArraySize(flat), 12);
	for (int i = 0; i < 12; i++) {
		char key[32];
		snprintf(key, sizeof(key), "gpus.%d.i", i);
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(flat, key);
		assert_non_null(v);
		assert_int_equal((int)v->valuedouble, i);
	}
	cJSON_Delete(flat);
	cJSON_Delete(many);

	assert_null(anvil_inventory_flatten(NULL));
	cJSON *arr = cJSON_CreateArray();
	assert_null(anvil_inventory_flatten(arr));
	cJSON_Delete(arr);
}

/* ---- subprocess ------------------------------------------------------------ */

static void test_run_echo(void **state)
{
	(void)state;
	char *argv[] = { "/bin/echo", "hi", NULL };
	char out[64];
	assert_int_equal(anvil_run_capture(argv, out, sizeof(out), 5.0), 0);
	assert_string_equal(out, "hi\n");
	char *bypath[] = { "echo", "a b", "$HOME", ";", "|", NULL };  /* no shell: all literal */
	assert_int_equal(anvil_run_capture(bypath, out, sizeof(out), 5.0), 0);
	assert_string_equal(out, "a b $HOME ; |\n");
}

static void test_run_exit_status_and_truncation(void **state)
{
	(void)state;
	char out[4];
	char *fail[] = { "false", NULL };
	assert_int_equal(anvil_run_capture(fail, out, sizeof(out), 5.0), 1);
	assert_string_equal(out, "");
	char *echo[] = { "/bin/echo", "hello", NULL };
	assert_int_equal(anvil_run_capture(echo, out, sizeof(out), 5.0), 0);
	assert_string_equal(out, "hel");
	/* Far more than the buffer: drained, so the child does not block on the pipe. */
	char *seq[] = { "seq", "1", "300000", NULL };
	double t0 = now_s();
	assert_int_equal(anvil_run_capture(seq, out, sizeof(out), 10.0), 0);
	assert_string_equal(out, "1\n2");
	assert_true(now_s() - t0 < 5.0);
}

static void test_run_missing_program(void **state)
{
	(void)state;
	char out[64] = "junk";
	char *missing[] = { "anvil-no-such-program-xyz", NULL };
	assert_int_equal(anvil_run_capture(missing, out, sizeof(out), 1.0), -ENOENT);
	assert_string_equal(out, "");
	char *abs[] = { "/nonexistent/dir/prog", NULL };
	assert_int_equal(anvil_run_capture(abs, out, sizeof(out), 1.0), -ENOENT);
	char *notexec[] = { "/etc/os-release", NULL };
	assert_int_equal(anvil_run_capture(notexec, out, sizeof(out), 1.0), -EACCES);
	char *empty[] = { NULL };
	assert_int_equal(anvil_run_capture(empty, out, sizeof(out), 1.0), -EINVAL);
}

static void test_run_timeout_kills(void **state)
{
	(void)state;
	char *argv[] = { "sleep", "10", NULL };
	char out[16];
	double t0 = now_s();
	assert_int_equal(anvil_run_capture(argv, out, sizeof(out), 0.2), -ETIMEDOUT);
	double took = now_s() - t0;
	assert_true(took >= 0.19);
	assert_true(took < 2.0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_collect_sane),
		cmocka_unit_test(test_collect_without_mpi),
		cmocka_unit_test(test_collect_is_stable),
		cmocka_unit_test(test_cpuinfo_two_sockets),
		cmocka_unit_test(test_cpuinfo_arm),
		cmocka_unit_test(test_cpuinfo_flags_sorted),
		cmocka_unit_test(test_cpuinfo_not_cpuinfo),
		cmocka_unit_test(test_meminfo),
		cmocka_unit_test(test_selected),
		cmocka_unit_test(test_os_release),
		cmocka_unit_test(test_smbios_dimms),
		cmocka_unit_test(test_smbios_short_device),
		cmocka_unit_test(test_smbios_malformed),
		cmocka_unit_test(test_flatten),
		cmocka_unit_test(test_run_echo),
		cmocka_unit_test(test_run_exit_status_and_truncation),
		cmocka_unit_test(test_run_missing_program),
		cmocka_unit_test(test_run_timeout_kills),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * The node inventory. Layout of this file: small file helpers, the pure
 * parsers (cpuinfo, meminfo, choice files, os-release, SMBIOS), one
 * collector per section of the JSON, then flatten.
 *
 * Rule for every field: it is either stable on identical nodes (compared by
 * the drift check) or it goes under "volatile". When a reading fails the
 * field is left out and a note goes to "unreadable"; nothing here fails the
 * whole collection.
 */
#include "bench/inventory.h"
#include "bench/gpu_inventory.h"
#include "bench/gpu_versions.h"
#include "bench/rdma_inventory.h"
#include "bench/subproc.h"

#include <cblas.h>  /* openblas_get_config & co. (OpenBLAS's own cblas.h) */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <gnu/libc-version.h>
#include <hwloc.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>
#include "common/sort.h"

#define FILE_MAX (8u << 20)  /* cpuinfo of a 1024-CPU node is ~1.5 MiB */
#define SYS_CPU "/sys/devices/system/cpu"
#define SMBIOS_TABLE "/sys/firmware/dmi/tables/DMI"
#define FIO_TIMEOUT_S 5.0

/* What one collection carries around: the result and its list of notes. */
struct inv {
	cJSON *root;
	cJSON *unreadable;  /* strings "field: why" */
};

/* ---- small helpers --------------------------------------------------------- */

static const char *why_errno(int e)
{
	if (e == ENOENT || e == ENOTDIR)
		return "not present";
	if (e == EACCES || e == EPERM)
		return "permission denied";
	return strerror(e);
}

static void note(struct inv *inv, const char *field, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void note(struct inv *inv, const char *field, const char *fmt, ...)
{
	char why[256], line[384];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	snprintf(line, sizeof(line), "%s: %s", field, why);
	cJSON_AddItemToArray(inv->unreadable, cJSON_CreateString(line));
}

/* Adds or replaces obj[key]; takes ownership of item. */
static void set_item(cJSON *obj, const char *key, cJSON *item)
{
	if (!item)
		return;
	if (cJSON_GetObjectItemCaseSensitive(obj, key))
		cJSON_ReplaceItemInObjectCaseSensitive(obj, key, item);
	else
		cJSON_AddItemToObject(obj, key, item);
}

static void set_num(cJSON *obj, const char *key, double v)
{
	set_item(obj, key, cJSON_CreateNumber(v));
}

static void set_str(cJSON *obj, const char *key, const char *s)
{
	set_item(obj, key, cJSON_CreateString(s));
}

/* Trims s in place at both ends; returns the new start. */
static char *trim(char *s)
{
	while (isspace((unsigned char)*s))
		s++;
	size_t n = strlen(s);
	while (n && isspace((unsigned char)s[n - 1]))
		s[--n] = '\0';
	return s;
}

/* Collapses each run of white space (newlines too) to one space, trims ends. */
static void squeeze(char *s)
{
	char *w = s;
	int space = 1;  /* drops leading space */
	for (char *r = s; *r; r++) {
		if (isspace((unsigned char)*r)) {
			if (!space)
				*w++ = ' ';
			space = 1;
		} else {
			*w++ = *r;
			space = 0;
		}
	}
	if (w > s && w[-1] == ' ')
		w--;
	*w = '\0';
}

/* Reads a whole file, NUL-terminated (binary-safe: *lenp has the length).
 * Returns a malloc'd buffer, or NULL with *err = errno. */
static char *slurp(const char *path, size_t *lenp, int *err)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		*err = errno;
		return NULL;
	}
	size_t cap = 4096, len = 0;
	char *buf = malloc(cap + 1);
	for (;;) {
		if (!buf) {
			*err = ENOMEM;
			break;
		}
		if (len == cap) {
			if (cap >= FILE_MAX)
				break;  /* keep what fits: enough for any file read here */
			char *p = realloc(buf, 2 * cap + 1);
			if (!p) {
				free(buf);
				buf = NULL;
				continue;
			}
			buf = p;
			cap *= 2;
		}
		ssize_t n = read(fd, buf + len, cap - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			*err = errno;
			free(buf);
			buf = NULL;
			break;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	if (buf) {
		buf[len] = '\0';
		if (lenp)
			*lenp = len;
	}
	return buf;
}

/* Reads a one-line (sysfs, procfs) file, trimmed. 0, or -errno. */
static int read_line(const char *path, char *out, size_t outlen)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ssize_t n;
	while ((n = read(fd, out, outlen - 1)) < 0 && errno == EINTR)
		;
	int e = errno;
	close(fd);
	if (n < 0)
		return -e;
	out[n] = '\0';
	char *t = trim(out);
	memmove(out, t, strlen(t) + 1);
	return 0;
}

static int read_long(const char *path, long long *v)
{
	char buf[64], *end;
	int rc = read_line(path, buf, sizeof(buf));
	if (rc < 0)
		return rc;
	errno = 0;
	*v = strtoll(buf, &end, 10);
	return end == buf || *end || errno ? -EINVAL : 0;
}

/* Nearest integer of a positive reading (kHz → MHz); no libm needed. */
static long long round_pos(double v)
{
	return (long long)(v + 0.5);
}

static int is_dir(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* A value as JSON: an integer as a number, anything else as a string. */
static cJSON *json_value(char *text)
{
	char *end;
	squeeze(text);
	errno = 0;
	long long v = strtoll(text, &end, 10);
	if (*text && !*end && !errno && llabs(v) < (1LL << 53))
		return cJSON_CreateNumber((double)v);
	return cJSON_CreateString(text);
}

/* ---- /proc/cpuinfo ------------------------------------------------------- */

/* The ISA features that set a FLOP peak (vector width, FMA, matrix units),
 * x86 names from "flags", Arm names from "Features". Sorted by strcmp, so the
 * output list is sorted too. */
static const char *const interesting_flags[] = {
	"amx_bf16", "amx_fp16", "amx_int8", "amx_tile", "asimd", "asimddp",
	"asimdhp", "avx", "avx2", "avx512_bf16", "avx512_fp16", "avx512_vnni",
	"avx512bw", "avx512cd", "avx512dq", "avx512f", "avx512ifma", "avx512vl",
	"avx_vnni", "bf16", "fma", "fma4", "fphp", "i8mm", "sme", "sme2", "sve",
	"sve2", "svebf16", "svei8mm",
};
#define N_FLAGS (sizeof(interesting_flags) / sizeof(interesting_flags[0]))

static cJSON *flags_list(const char *line)
{
	unsigned char seen[N_FLAGS] = { 0 };
	const char *p = line;
	while (*p) {
		while (*p == ' ' || *p == '\t')
			p++;
		size_t n = strcspn(p, " \t");
		for (size_t i = 0; n && i < N_FLAGS; i++)
			if (strlen(interesting_flags[i]) == n && !strncmp(p, interesting_flags[i], n))
				seen[i] = 1;
		p += n;
	}
	cJSON *list = cJSON_CreateArray();
	for (size_t i = 0; i < N_FLAGS; i++)
		if (seen[i])
			cJSON_AddItemToArray(list, cJSON_CreateString(interesting_flags[i]));
	return list;
}

/* Arm "CPU implementer" codes (MIDR_EL1 bits 31:24) for the vendors seen in HPC. */
static const char *arm_implementer(unsigned code)
{
	switch (code) {
	case 0x41: return "ARM";
	case 0x42: return "Broadcom";
	case 0x43: return "Cavium";
	case 0x46: return "Fujitsu";
	case 0x48: return "HiSilicon";
	case 0x4e: return "NVIDIA";
	case 0x50: return "APM";
	case 0x51: return "Qualcomm";
	case 0x61: return "Apple";
	case 0xc0: return "Ampere";
	default: return NULL;
	}
}

/* "Intel(R) Xeon(R) Gold 6248 CPU @ 2.50GHz" → 2500; 0 when not written so. */
static long model_name_mhz(const char *model)
{
	const char *at = strrchr(model, '@');
	if (!at)
		return 0;
	char *end;
	double ghz = strtod(at + 1, &end);
	while (*end == ' ')
		end++;
	if (ghz <= 0 || ghz > 20 || strncasecmp(end, "GHz", 3))
		return 0;
	return (long)round_pos(ghz * 1000);
}

static int cmp_ll(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;
	return (x > y) - (x < y);
}

static size_t count_distinct(long long *v, size_t n)
{
	if (!n)
		return 0;
	anvil_sort(v, n, sizeof(*v), cmp_ll);
	size_t d = 1;
	for (size_t i = 1; i < n; i++)
		d += v[i] != v[i - 1];
	return d;
}

/* Per-processor ids, gathered to count sockets and cores. */
struct cpu_ids {
	long long *sockets, *cores;  /* physical id; physical id << 32 | core id */
	size_t n, cap;
	long long phys, core;        /* of the block being read; -1 unset */
};

static void ids_end_block(struct cpu_ids *ids)
{
	if (ids->phys >= 0) {
		if (ids->n == ids->cap) {
			size_t cap = ids->cap ? 2 * ids->cap : 64;
			long long *s = realloc(ids->sockets, cap * sizeof(*s));
			if (s)
				ids->sockets = s;
			long long *c = realloc(ids->cores, cap * sizeof(*c));
			if (c)
				ids->cores = c;
			if (!s || !c)
				return;
			ids->cap = cap;
		}
		ids->sockets[ids->n] = ids->phys;
		ids->cores[ids->n] = ids->phys << 32 | (ids->core >= 0 ? ids->core : 0xffffffffLL);
		ids->n++;
	}
	ids->phys = ids->core = -1;
}

/* First value of each field wins: every processor block repeats them. */
static void cpuinfo_field(cJSON *cpu, const char *key, char *val, unsigned *impl, char **part)
{
	static const struct { const char *key, *field; } strs[] = {
		{ "vendor_id", "vendor" }, { "microcode", "microcode" },
	};
	static const struct { const char *key, *field; } nums[] = {
		{ "cpu family", "family" }, { "model", "model_number" }, { "stepping", "stepping" },
	};
	if ((!strcmp(key, "model name") || !strcmp(key, "Model Name")) &&
	    !cJSON_GetObjectItemCaseSensitive(cpu, "model")) {
		squeeze(val);
		set_str(cpu, "model", val);
		long mhz = model_name_mhz(val);
		if (mhz) {
			set_num(cpu, "base_mhz", mhz);
			set_str(cpu, "base_mhz_source", "cpuinfo model name");
		}
		return;
	}
	if ((!strcmp(key, "flags") || !strcmp(key, "Features")) &&
	    !cJSON_GetObjectItemCaseSensitive(cpu, "flags")) {
		set_item(cpu, "flags", flags_list(val));
		return;
	}
	if (!strcmp(key, "CPU implementer") && !*impl) {
		*impl = (unsigned)strtoul(val, NULL, 0);
		return;
	}
	if (!strcmp(key, "CPU part") && !*part) {
		*part = strdup(val);
		return;
	}
	for (size_t i = 0; i < sizeof(strs) / sizeof(strs[0]); i++)
		if (!strcmp(key, strs[i].key) && !cJSON_GetObjectItemCaseSensitive(cpu, strs[i].field))
			set_str(cpu, strs[i].field, val);
	for (size_t i = 0; i < sizeof(nums) / sizeof(nums[0]); i++) {
		if (strcmp(key, nums[i].key) || cJSON_GetObjectItemCaseSensitive(cpu, nums[i].field))
			continue;
		char *end;
		long v = strtol(val, &end, 10);
		if (end != val && !*end)
			set_num(cpu, nums[i].field, v);
	}
}

/* Arm has no "model name": name it by implementer and part number. */
static void cpuinfo_arm_names(cJSON *cpu, unsigned impl, const char *part)
{
	if (!impl)
		return;
	const char *vendor = arm_implementer(impl);
	char buf[64];
	if (!vendor) {
		snprintf(buf, sizeof(buf), "0x%02x", impl);
		vendor = buf;
	}
	if (!cJSON_GetObjectItemCaseSensitive(cpu, "vendor"))
		set_str(cpu, "vendor", vendor);
	if (!cJSON_GetObjectItemCaseSensitive(cpu, "model") && part) {
		char model[96];
		snprintf(model, sizeof(model), "%s part %s", vendor, part);
		set_str(cpu, "model", model);
	}
}

int anvil_inventory_parse_cpuinfo(const char *text, cJSON *cpu)
{
	struct cpu_ids ids = { .phys = -1, .core = -1 };
	unsigned impl = 0;
	char *part = NULL;
	int processors = 0;
	char *copy = text ? strdup(text) : NULL;
	if (!copy || !cpu)
		return 0;
	char *save = NULL;
	for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *colon = strchr(line, ':');
		if (!colon)
			continue;  /* strtok_r skips blank lines: blocks end at "processor" */
		*colon = '\0';
		char *key = trim(line), *val = trim(colon + 1);
		if (!strcmp(key, "processor")) {
			ids_end_block(&ids);
			processors++;
		} else if (!strcmp(key, "physical id")) {
			ids.phys = strtoll(val, NULL, 10);
		} else if (!strcmp(key, "core id")) {
			ids.core = strtoll(val, NULL, 10);
		} else {
			cpuinfo_field(cpu, key, val, &impl, &part);
		}
	}
	ids_end_block(&ids);
	cpuinfo_arm_names(cpu, impl, part);
	if (ids.n) {
		set_num(cpu, "sockets", (double)count_distinct(ids.sockets, ids.n));
		set_num(cpu, "cores", (double)count_distinct(ids.cores, ids.n));
	}
	if (processors)
		set_num(cpu, "threads", processors);
	free(ids.sockets);
	free(ids.cores);
	free(part);
	free(copy);
	return processors;
}

/* The first "cpu MHz" value; 0 when there is none. */
static double cpuinfo_mhz(const char *text)
{
	const char *p = strstr(text, "\ncpu MHz");
	if (!p)
		return 0;
	p = strchr(p, ':');
	return p ? strtod(p + 1, NULL) : 0;
}

/* ---- small pure parsers ------------------------------------------------ */

long long anvil_inventory_meminfo_kb(const char *text, const char *key)
{
	size_t klen = strlen(key);
	for (const char *p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
		if (!strncmp(p, key, klen) && p[klen] == ':') {
			char *end;
			long long v = strtoll(p + klen + 1, &end, 10);
			return end == p + klen + 1 ? -1 : v;
		}
	}
	return -1;
}

int anvil_inventory_parse_selected(const char *text, char *out, size_t outlen)
{
	if (outlen)
		out[0] = '\0';
	const char *open = text ? strchr(text, '[') : NULL;
	const char *close = open ? strchr(open, ']') : NULL;
	if (!close || close == open + 1 || (size_t)(close - open - 1) >= outlen)
		return -1;
	size_t n = (size_t)(close - open - 1);
	if (memchr(open + 1, ' ', n))
		return -1;
	memcpy(out, open + 1, n);
	out[n] = '\0';
	return 0;
}

/* Undoes os-release quoting in place: "a \"b\"" → a "b"; 'x' → x. */
static void unquote(char *v)
{
	char *w = v, *r = v;
	char q = (*r == '"' || *r == '\'') ? *r++ : 0;
	for (; *r && *r != q; r++) {
		if (*r == '\\' && q != '\'' && r[1])
			r++;
		*w++ = *r;
	}
	*w = '\0';
	if (!q)
		trim(v);
}

int anvil_inventory_parse_os_release(const char *text, cJSON *os)
{
	static const struct { const char *key, *field; } keys[] = {
		{ "PRETTY_NAME", "pretty_name" }, { "VERSION_ID", "version_id" }, { "ID", "id" },
	};
	int found = 0;
	char *copy = text ? strdup(text) : NULL;
	if (!copy)
		return 0;
	char *save = NULL;
	for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *eq = strchr(line, '=');
		if (!eq || *trim(line) == '#')
			continue;
		*eq = '\0';
		char *key = trim(line), *val = eq + 1;
		for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
			if (strcmp(key, keys[i].key))
				continue;
			unquote(val);
			if (!cJSON_GetObjectItemCaseSensitive(os, keys[i].field))
				found++;
			set_str(os, keys[i].field, val);
		}
	}
	free(copy);
	return found;
}

/* ---- SMBIOS ------------------------------------------------------------------ */

/* One structure of the table: its formatted part and its string set. */
struct smb_struct {
	const unsigned char *f;   /* formatted area, f[0] = type */
	size_t flen;
	const unsigned char *s;   /* string set: NUL-terminated strings, then NUL */
	size_t slen;
	size_t offset;            /* in the table, for messages */
};

static int smb_u8(const struct smb_struct *st, size_t off, unsigned *v)
{
	if (off + 1 > st->flen)
		return -1;
	*v = st->f[off];
	return 0;
}

static int smb_u16(const struct smb_struct *st, size_t off, unsigned *v)
{
	if (off + 2 > st->flen)
		return -1;
	*v = st->f[off] | (unsigned)st->f[off + 1] << 8;
	return 0;
}

static int smb_u32(const struct smb_struct *st, size_t off, uint32_t *v)
{
	if (off + 4 > st->flen)
		return -1;
	*v = st->f[off] | (uint32_t)st->f[off + 1] << 8 | (uint32_t)st->f[off + 2] << 16 |
	     (uint32_t)st->f[off + 3] << 24;
	return 0;
}

/* String number n (1-based) of the byte at off, trimmed, into out; 0 if there. */
static int smb_string(const struct smb_struct *st, size_t off, char *out, size_t outlen)
{
	unsigned n;
	if (smb_u8(st, off, &n) < 0 || n == 0)
		return -1;
	const unsigned char *p = st->s, *end = st->s + st->slen;
	for (unsigned i = 1; p < end && *p; i++) {
		const unsigned char *z = memchr(p, 0, (size_t)(end - p));
		if (!z)
			return -1;
		if (i == n) {
			size_t len = (size_t)(z - p) < outlen - 1 ? (size_t)(z - p) : outlen - 1;
			for (size_t k = 0; k < len; k++)  /* keep it printable ASCII */
				out[k] = p[k] >= 0x20 && p[k] < 0x7f ? (char)p[k] : '?';
			out[len] = '\0';
			char *t = trim(out);
			memmove(out, t, strlen(t) + 1);
			return *out ? 0 : -1;
		}
		p = z + 1;
	}
	return -1;
}

/* SMBIOS 3.x table 7.18.2, Memory Device Type. */
static const char *smb_mem_type(unsigned t)
{
	static const char *const names[] = {
		[0x01] = "Other", [0x02] = "Unknown", [0x03] = "DRAM", [0x04] = "EDRAM",
		[0x05] = "VRAM", [0x06] = "SRAM", [0x07] = "RAM", [0x08] = "ROM",
		[0x09] = "Flash", [0x0a] = "EEPROM", [0x0b] = "FEPROM", [0x0c] = "EPROM",
		[0x0d] = "CDRAM", [0x0e] = "3DRAM", [0x0f] = "SDRAM", [0x10] = "SGRAM",
		[0x11] = "RDRAM", [0x12] = "DDR", [0x13] = "DDR2", [0x14] = "DDR2 FB-DIMM",
		[0x18] = "DDR3", [0x19] = "FBD2", [0x1a] = "DDR4", [0x1b] = "LPDDR",
		[0x1c] = "LPDDR2", [0x1d] = "LPDDR3", [0x1e] = "LPDDR4",
		[0x1f] = "Logical non-volatile device", [0x20] = "HBM", [0x21] = "HBM2",
		[0x22] = "DDR5", [0x23] = "LPDDR5", [0x24] = "HBM3",
	};
	return t < sizeof(names) / sizeof(names[0]) ? names[t] : NULL;
}

/* Size in bytes of a type-17 device: 0 empty slot, -1 unknown. */
static long long smb_dimm_size(const struct smb_struct *st)
{
	unsigned size;
	uint32_t ext;
	if (smb_u16(st, 0x0c, &size) < 0 || size == 0xffff)
		return -1;
	if (size == 0)
		return 0;
	if (size == 0x7fff) {  /* 32 GiB or more: the extended size, in MiB */
		if (smb_u32(st, 0x1c, &ext) < 0)
			return -1;
		return (long long)(ext & 0x7fffffffu) << 20;
	}
	return (long long)(size & 0x7fff) << (size & 0x8000 ? 10 : 20);
}

/* A speed word in MT/s, with 0xffff meaning "see the extended dword". */
static void smb_speed(const struct smb_struct *st, size_t off, size_t ext_off, cJSON *dimm,
		      const char *key)
{
	unsigned v;
	uint32_t ext;
	if (smb_u16(st, off, &v) < 0 || v == 0)
		return;
	if (v == 0xffff) {
		if (smb_u32(st, ext_off, &ext) < 0 || !(ext & 0x7fffffffu))
			return;
		v = ext & 0x7fffffffu;
	}
	set_num(dimm, key, v);
}

/* One populated type-17 slot as JSON (offsets: SMBIOS 3.x section 7.18). */
static cJSON *smb_dimm(const struct smb_struct *st, long long size)
{
	static const struct { size_t off; const char *key; } strs[] = {
		{ 0x10, "locator" }, { 0x11, "bank" }, { 0x17, "manufacturer" },
		{ 0x1a, "part_number" },
	};
	cJSON *d = cJSON_CreateObject();
	char buf[128];
	unsigned v;
	for (size_t i = 0; i < sizeof(strs) / sizeof(strs[0]); i++)
		if (smb_string(st, strs[i].off, buf, sizeof(buf)) == 0)
			set_str(d, strs[i].key, buf);
	if (size > 0)
		set_num(d, "size_bytes", (double)size);
	if (smb_u8(st, 0x12, &v) == 0 && smb_mem_type(v))
		set_str(d, "type", smb_mem_type(v));
	smb_speed(st, 0x15, 0x54, d, "speed_mts");
	smb_speed(st, 0x20, 0x58, d, "configured_mts");
	if (smb_u8(st, 0x1b, &v) == 0 && (v & 0x0f))
		set_num(d, "rank", v & 0x0f);
	return d;
}

/* Finds the structure at off; 0, or -1 with err set. */
static int smb_next(const unsigned char *buf, size_t len, size_t off, struct smb_struct *st,
		    char *err, size_t errlen)
{
	size_t flen = buf[off + 1];
	if (flen < 4) {
		snprintf(err, errlen, "structure at offset 0x%zx: length %zu, expected >= 4", off, flen);
		return -1;
	}
	if (flen > len - off) {
		snprintf(err, errlen,
			 "structure at offset 0x%zx (type %u): length %zu runs past the table end (%zu bytes)",
			 off, buf[off], flen, len);
		return -1;
	}
	/* The string set ends at the first double NUL (an empty set is "\0\0"). */
	size_t s = off + flen, p = s;
	while (p + 1 < len && (buf[p] || buf[p + 1]))
		p++;
	if (p + 1 >= len) {
		snprintf(err, errlen,
			 "structure at offset 0x%zx (type %u): string set has no double-NUL end before the table end",
			 off, buf[off]);
		return -1;
	}
	*st = (struct smb_struct){ buf + off, flen, buf + s, p + 2 - s, off };
	return 0;
}

int anvil_inventory_parse_smbios(const unsigned char *buf, size_t len, cJSON *memory,
				 char *err, size_t errlen)
{
	cJSON *dimms = cJSON_CreateArray();
	int slots = 0, populated = 0, rc = 0;
	double total = 0;
	size_t off = 0;
	if (errlen)
		err[0] = '\0';
	while (buf && off + 4 <= len) {
		struct smb_struct st;
		if (smb_next(buf, len, off, &st, err, errlen) < 0) {
			rc = -1;
			break;
		}
		if (st.f[0] == 127)  /* end-of-table */
			break;
		if (st.f[0] == 17) {
			long long size = smb_dimm_size(&st);
			slots++;
			if (size != 0) {
				populated++;
				total += size > 0 ? (double)size : 0;
				cJSON_AddItemToArray(dimms, smb_dimm(&st, size));
			}
		}
		off += st.flen + st.slen;
	}
	set_num(memory, "dimm_slots", slots);
	set_num(memory, "dimm_count", populated);
	if (populated)
		set_num(memory, "dimm_total_bytes", total);
	set_item(memory, "dimms", dimms);
	return rc < 0 ? -1 : slots;
}

/* ---- hwloc ----------------------------------------------------------------- */

static hwloc_topology_t topology_load(struct inv *inv)
{
	hwloc_topology_t topo;
	if (hwloc_topology_init(&topo) < 0) {
		note(inv, "cpu.topology", "hwloc_topology_init failed: %s", strerror(errno));
		return NULL;
	}
	/* The whole machine, not the cgroup this job was given: the inventory
	 * describes hardware, and jobs with different allocations must agree. */
	hwloc_topology_set_flags(topo, HWLOC_TOPOLOGY_FLAG_INCLUDE_DISALLOWED);
	if (hwloc_topology_load(topo) < 0) {
		note(inv, "cpu.topology", "hwloc_topology_load failed: %s", strerror(errno));
		hwloc_topology_destroy(topo);
		return NULL;
	}
	return topo;
}

/* First cache of a level, skipping instruction caches (so L1 means L1d). */
static hwloc_obj_t first_cache(hwloc_topology_t topo, hwloc_obj_type_t type)
{
	hwloc_obj_t o = NULL;
	while ((o = hwloc_get_next_obj_by_type(topo, type, o)))
		if (o->attr && o->attr->cache.type != HWLOC_OBJ_CACHE_INSTRUCTION)
			return o;
	return NULL;
}

static cJSON *cpu_caches(hwloc_topology_t topo)
{
	static const struct { hwloc_obj_type_t type; const char *key; } levels[] = {
		{ HWLOC_OBJ_L1CACHE, "l1d_bytes" }, { HWLOC_OBJ_L2CACHE, "l2_bytes" },
		{ HWLOC_OBJ_L3CACHE, "l3_bytes" },
	};
	cJSON *c = cJSON_CreateObject();
	for (size_t i = 0; i < sizeof(levels) / sizeof(levels[0]); i++) {
		hwloc_obj_t o = first_cache(topo, levels[i].type);
		if (o)
			set_num(c, levels[i].key, (double)o->attr->cache.size);
	}
	double l3_total = 0;
	int l3_count = 0;
	hwloc_obj_t o = NULL;
	while ((o = hwloc_get_next_obj_by_type(topo, HWLOC_OBJ_L3CACHE, o))) {
		l3_total += (double)o->attr->cache.size;
		l3_count++;
	}
	if (l3_count) {
		set_num(c, "l3_count", l3_count);
		set_num(c, "l3_total_bytes", l3_total);
	}
	return c;
}

/* ---- cpu ----------------------------------------------------------------- */

/* Base and max clock, each with the source it came from. */
static void cpu_clocks(struct inv *inv, cJSON *cpu, const char *cpuinfo)
{
	static const struct { const char *file, *source; } base_files[] = {
		{ SYS_CPU "/cpu0/cpufreq/base_frequency", "cpufreq base_frequency" },
		{ SYS_CPU "/cpu0/cpufreq/amd_pstate_nominal_freq", "cpufreq amd_pstate_nominal_freq" },
	};
	int cpufreq = is_dir(SYS_CPU "/cpu0/cpufreq");
	long long khz;
	for (size_t i = 0; i < sizeof(base_files) / sizeof(base_files[0]); i++) {
		if (read_long(base_files[i].file, &khz) == 0 && khz > 0) {
			set_num(cpu, "base_mhz", (double)round_pos(khz / 1000.0));
			set_str(cpu, "base_mhz_source", base_files[i].source);
			break;
		}
	}
	/* "cpu MHz" is the current clock where a cpufreq driver scales it, so it
	 * stands for the base clock only where none does (VMs, fixed clocks). */
	double mhz = cpuinfo ? cpuinfo_mhz(cpuinfo) : 0;
	if (!cJSON_GetObjectItemCaseSensitive(cpu, "base_mhz")) {
		if (!cpufreq && mhz > 0) {
			set_num(cpu, "base_mhz", (double)round_pos(mhz));
			set_str(cpu, "base_mhz_source", "cpuinfo cpu MHz");
		} else {
			note(inv, "cpu.base_mhz", "no cpufreq base_frequency and no clock in the model name");
		}
	}
	if (read_long(SYS_CPU "/cpu0/cpufreq/cpuinfo_max_freq", &khz) == 0 && khz > 0) {
		set_num(cpu, "max_mhz", (double)round_pos(khz / 1000.0));
		set_str(cpu, "max_mhz_source", "cpufreq cpuinfo_max_freq");
	} else {
		note(inv, "cpu.max_mhz", "%s", cpufreq ? "cpufreq cpuinfo_max_freq unreadable"
					       : "no cpufreq driver");
	}
}

/* The governor of cpu0, or "mixed" when any policy differs. */
static void cpu_governor(struct inv *inv, cJSON *cpu)
{
	char gov[64], other[64], drv[64];
	int rc = read_line(SYS_CPU "/cpu0/cpufreq/scaling_governor", gov, sizeof(gov));
	if (rc < 0) {
		note(inv, "cpu.governor", "%s", why_errno(-rc));
		return;
	}
	glob_t g;
	if (glob(SYS_CPU "/cpufreq/policy*/scaling_governor", 0, NULL, &g) == 0) {
		for (size_t i = 0; i < g.gl_pathc; i++)
			if (read_line(g.gl_pathv[i], other, sizeof(other)) == 0 && strcmp(gov, other))
				snprintf(gov, sizeof(gov), "mixed");
		globfree(&g);
	}
	set_str(cpu, "governor", gov);
	if (read_line(SYS_CPU "/cpu0/cpufreq/scaling_driver", drv, sizeof(drv)) == 0)
		set_str(cpu, "freq_driver", drv);
}

/* Turbo/boost and SMT switches: both change what a node delivers. */
static void cpu_switches(cJSON *cpu)
{
	long long v;
	char smt[32];
	if (read_long(SYS_CPU "/cpufreq/boost", &v) == 0)
		set_item(cpu, "boost", cJSON_CreateBool(v != 0));
	else if (read_long(SYS_CPU "/intel_pstate/no_turbo", &v) == 0)
		set_item(cpu, "boost", cJSON_CreateBool(v == 0));
	if (read_line(SYS_CPU "/smt/control", smt, sizeof(smt)) == 0)
		set_str(cpu, "smt", smt);
}

static void add_cpu(struct inv *inv, hwloc_topology_t topo)
{
	cJSON *cpu = cJSON_AddObjectToObject(inv->root, "cpu");
	int err = 0;
	char *text = slurp("/proc/cpuinfo", NULL, &err);
	if (!cpu)
		goto out;
	if (!text)
		note(inv, "cpu.model", "/proc/cpuinfo: %s", why_errno(err));
	else if (anvil_inventory_parse_cpuinfo(text, cpu) == 0)
		note(inv, "cpu.model", "/proc/cpuinfo: no \"processor\" lines");
	if (topo) {
		set_num(cpu, "sockets", hwloc_get_nbobjs_by_type(topo, HWLOC_OBJ_PACKAGE));
		set_num(cpu, "cores", hwloc_get_nbobjs_by_type(topo, HWLOC_OBJ_CORE));
		set_num(cpu, "threads", hwloc_get_nbobjs_by_type(topo, HWLOC_OBJ_PU));
		set_str(cpu, "topology_source", "hwloc");
		set_item(cpu, "caches", cpu_caches(topo));
	} else if (cJSON_GetObjectItemCaseSensitive(cpu, "threads")) {
		set_str(cpu, "topology_source", "cpuinfo");
		note(inv, "cpu.caches", "no hwloc topology");
	}
	cpu_clocks(inv, cpu, text);
	cpu_governor(inv, cpu);
	cpu_switches(cpu);
out:
	free(text);
}

/* ---- memory ---------------------------------------------------------------- */

static void memory_hugepages(cJSON *mem, const char *meminfo)
{
	cJSON *hp = cJSON_AddObjectToObject(mem, "hugepages");
	long long kb = meminfo ? anvil_inventory_meminfo_kb(meminfo, "Hugepagesize") : -1;
	long long total = meminfo ? anvil_inventory_meminfo_kb(meminfo, "HugePages_Total") : -1;
	if (!hp)
		return;
	if (kb > 0)
		set_num(hp, "size_bytes", (double)kb * 1024);
	if (total >= 0)
		set_num(hp, "total", (double)total);
	/* Every page size, not only the default one: 1 GiB pages are reserved at boot. */
	glob_t g;
	if (glob("/sys/kernel/mm/hugepages/hugepages-*", 0, NULL, &g) != 0)
		return;
	cJSON *by = cJSON_AddObjectToObject(hp, "by_size");
	for (size_t i = 0; by && i < g.gl_pathc; i++) {
		char path[512];
		long long n;
		snprintf(path, sizeof(path), "%s/nr_hugepages", g.gl_pathv[i]);
		if (read_long(path, &n) == 0)
			set_num(by, strrchr(g.gl_pathv[i], '-') + 1, (double)n);  /* "2048kB" */
	}
	globfree(&g);
}

static void memory_thp(struct inv *inv, cJSON *mem)
{
	static const char *const files[] = { "enabled", "defrag" };
	cJSON *thp = cJSON_AddObjectToObject(mem, "transparent_hugepage");
	for (size_t i = 0; thp && i < 2; i++) {
		char path[128], text[256], sel[64];
		snprintf(path, sizeof(path), "/sys/kernel/mm/transparent_hugepage/%s", files[i]);
		int rc = read_line(path, text, sizeof(text));
		if (rc < 0)
			note(inv, "memory.transparent_hugepage", "%s: %s", files[i], why_errno(-rc));
		else if (anvil_inventory_parse_selected(text, sel, sizeof(sel)) < 0)
			note(inv, "memory.transparent_hugepage", "%s: no [selected] value in \"%s\"",
			     files[i], text);
		else
			set_str(thp, files[i], sel);
	}
}

/* DIMMs from the EDAC driver, when the SMBIOS table is not readable. */
static int memory_edac(cJSON *mem)
{
	glob_t g;
	if (glob("/sys/devices/system/edac/mc/mc*/dimm*", 0, NULL, &g) != 0)
		return 0;
	cJSON *dimms = cJSON_CreateArray();
	int populated = 0;
	double total = 0;
	for (size_t i = 0; i < g.gl_pathc; i++) {
		char path[512], buf[128];
		long long mb;
		snprintf(path, sizeof(path), "%s/size", g.gl_pathv[i]);
		if (read_long(path, &mb) < 0 || mb <= 0)
			continue;
		cJSON *d = cJSON_CreateObject();
		snprintf(path, sizeof(path), "%s/dimm_label", g.gl_pathv[i]);
		if (read_line(path, buf, sizeof(buf)) == 0 && *buf)
			set_str(d, "locator", buf);
		set_num(d, "size_bytes", (double)mb * 1048576);
		snprintf(path, sizeof(path), "%s/dimm_mem_type", g.gl_pathv[i]);
		if (read_line(path, buf, sizeof(buf)) == 0 && *buf)
			set_str(d, "type", buf);
		cJSON_AddItemToArray(dimms, d);
		populated++;
		total += (double)mb * 1048576;
	}
	set_num(mem, "dimm_slots", (double)g.gl_pathc);
	set_num(mem, "dimm_count", populated);
	if (populated)
		set_num(mem, "dimm_total_bytes", total);
	set_item(mem, "dimms", dimms);
	set_str(mem, "dimm_source", "edac");
	int slots = (int)g.gl_pathc;
	globfree(&g);
	return slots;
}

static void memory_dimms(struct inv *inv, cJSON *mem)
{
	char why[320];
	size_t len = 0;
	int err = 0;
	unsigned char *table = (unsigned char *)slurp(SMBIOS_TABLE, &len, &err);
	if (table) {
		char perr[200];
		int rc = anvil_inventory_parse_smbios(table, len, mem, perr, sizeof(perr));
		free(table);
		if (rc < 0)
			note(inv, "memory.dimms", "%s: %s", SMBIOS_TABLE, perr);
		/* A table cut short still counts for the slots read before the fault. */
		if (cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(mem, "dimm_slots")) > 0) {
			set_str(mem, "dimm_source", "smbios");
			return;
		}
		snprintf(why, sizeof(why), "%s: no memory devices (type 17)", SMBIOS_TABLE);
		/* Leave nothing from an empty table behind for EDAC to fill. */
		cJSON_DeleteItemFromObjectCaseSensitive(mem, "dimm_slots");
		cJSON_DeleteItemFromObjectCaseSensitive(mem, "dimm_count");
		cJSON_DeleteItemFromObjectCaseSensitive(mem, "dimms");
	} else {
		snprintf(why, sizeof(why), "%s: %s", SMBIOS_TABLE, why_errno(err));
	}
	if (memory_edac(mem) == 0)
		note(inv, "memory.dimms", "%s; no EDAC DIMMs in sysfs", why);
}

static void add_memory(struct inv *inv)
{
	cJSON *mem = cJSON_AddObjectToObject(inv->root, "memory");
	int err = 0;
	char *meminfo = slurp("/proc/meminfo", NULL, &err);
	if (!mem)
		goto out;
	long long kb = meminfo ? anvil_inventory_meminfo_kb(meminfo, "MemTotal") : -1;
	if (kb > 0)
		set_num(mem, "total_bytes", (double)kb * 1024);
	else
		note(inv, "memory.total_bytes", "/proc/meminfo: %s",
		     meminfo ? "no MemTotal line" : why_errno(err));
	memory_dimms(inv, mem);
	memory_hugepages(mem, meminfo);
	memory_thp(inv, mem);
out:
	free(meminfo);
}

/* ---- numa ------------------------------------------------------------------ */

static void add_numa(struct inv *inv, hwloc_topology_t topo)
{
	cJSON *numa = cJSON_AddObjectToObject(inv->root, "numa");
	if (!topo) {
		note(inv, "numa", "no hwloc topology");
		return;
	}
	int n = hwloc_get_nbobjs_by_type(topo, HWLOC_OBJ_NUMANODE);
	cJSON *nodes = cJSON_CreateArray();
	if (!numa || !nodes) {
		cJSON_Delete(nodes);
		return;
	}
	set_num(numa, "count", n);
	for (int i = 0; i < n; i++) {
		hwloc_obj_t o = hwloc_get_obj_by_type(topo, HWLOC_OBJ_NUMANODE, (unsigned)i);
		cJSON *node = cJSON_CreateObject();
		char *list = NULL;
		set_num(node, "os_index", o->os_index);
		set_num(node, "memory_bytes", (double)o->attr->numanode.local_memory);
		/* Memory-only nodes (HBM, CXL) have no CPUs: an empty list. */
		if (hwloc_bitmap_list_asprintf(&list, o->cpuset) >= 0) {
			set_str(node, "cpuset", list);
			free(list);
		}
		cJSON_AddItemToArray(nodes, node);
	}
	set_item(numa, "nodes", nodes);
}

/* ---- os, dmi, sysctls --------------------------------------------------- */

static void add_os(struct inv *inv)
{
	cJSON *os = cJSON_AddObjectToObject(inv->root, "os");
	struct utsname u;
	if (!os)
		return;
	if (uname(&u) == 0) {
		set_str(os, "kernel", u.release);
		set_str(os, "kernel_build", u.version);
		set_str(os, "arch", u.machine);
	} else {
		note(inv, "os.kernel", "uname: %s", strerror(errno));
	}
	int err = 0;
	char *text = slurp("/etc/os-release", NULL, &err);
	if (!text)
		note(inv, "os.pretty_name", "/etc/os-release: %s", why_errno(err));
	else if (anvil_inventory_parse_os_release(text, os) == 0)
		note(inv, "os.pretty_name", "/etc/os-release: no PRETTY_NAME, VERSION_ID or ID");
	free(text);
}

static void add_dmi(struct inv *inv)
{
	static const struct { const char *file, *field; } fields[] = {
		{ "bios_vendor", "bios_vendor" }, { "bios_version", "bios_version" },
		{ "bios_date", "bios_date" }, { "sys_vendor", "system_vendor" },
		{ "product_name", "system_product" }, { "board_vendor", "board_vendor" },
		{ "board_name", "board_name" }, { "board_version", "board_version" },
	};
	const char *dir = "/sys/class/dmi/id";
	cJSON *dmi = cJSON_AddObjectToObject(inv->root, "dmi");
	if (!dmi)
		return;
	if (!is_dir(dir)) {
		note(inv, "dmi", "%s: not present", dir);
		return;
	}
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		char path[128], val[256], field[64];
		snprintf(path, sizeof(path), "%s/%s", dir, fields[i].file);
		int rc = read_line(path, val, sizeof(val));
		if (rc == 0 && *val) {
			set_str(dmi, fields[i].field, val);
		} else {
			snprintf(field, sizeof(field), "dmi.%s", fields[i].field);
			note(inv, field, "%s", rc < 0 ? why_errno(-rc) : "empty");
		}
	}
}

/* Settings that change HPC results: page placement, reclaim, swapping,
 * address layout, socket buffers for TCP transports, overcommit. */
static const char *const sysctl_names[] = {
	"kernel.numa_balancing", "kernel.randomize_va_space", "net.core.rmem_max",
	"net.core.wmem_max", "vm.overcommit_memory", "vm.swappiness", "vm.zone_reclaim_mode",
};

static void add_sysctls(struct inv *inv)
{
	cJSON *sys = cJSON_AddObjectToObject(inv->root, "sysctls");
	for (size_t i = 0; sys && i < sizeof(sysctl_names) / sizeof(sysctl_names[0]); i++) {
		char path[128], val[256], field[96];
		int n = snprintf(path, sizeof(path), "/proc/sys/%s", sysctl_names[i]);
		for (int k = (int)strlen("/proc/sys/"); k < n; k++)
			if (path[k] == '.')
				path[k] = '/';
		int rc = read_line(path, val, sizeof(val));
		if (rc == 0) {
			set_item(sys, sysctl_names[i], json_value(val));
		} else {
			snprintf(field, sizeof(field), "sysctls.%s", sysctl_names[i]);
			note(inv, field, "%s", why_errno(-rc));
		}
	}
}

/* ---- libraries --------------------------------------------------------- */

static void libs_openblas(cJSON *libs)
{
	static const char *const parallel[] = { "sequential", "pthread", "openmp" };
	char *config = openblas_get_config();
	char version[32];
	if (config) {
		char buf[512];
		snprintf(buf, sizeof(buf), "%s", config);
		squeeze(buf);
		if (sscanf(buf, "OpenBLAS %31s", version) == 1)
			set_str(libs, "openblas", version);
		set_str(libs, "openblas_config", buf);
	}
	char *core = openblas_get_corename();
	if (core)
		set_str(libs, "openblas_core", core);
	int p = openblas_get_parallel();
	if (p >= 0 && p < 3)
		set_str(libs, "openblas_parallel", parallel[p]);
}

static void libs_fio(struct inv *inv, cJSON *libs)
{
	char *argv[] = { "fio", "--version", NULL };
	char out[256];
	int rc = anvil_run_capture(argv, out, sizeof(out), FIO_TIMEOUT_S);
	out[strcspn(out, "\n")] = '\0';
	char *v = trim(out);
	if (rc == 0 && *v)
		set_str(libs, "fio", v);
	else if (rc == -ENOENT)
		note(inv, "libraries.fio", "not found in PATH");
	else if (rc == -ETIMEDOUT)
		note(inv, "libraries.fio", "fio --version ran past %.0f s", FIO_TIMEOUT_S);
	else if (rc < 0)
		note(inv, "libraries.fio", "cannot run fio: %s", strerror(-rc));
	else
		note(inv, "libraries.fio", "fio --version exited with status %d", rc);
}

static void add_libraries(struct inv *inv, hwloc_topology_t topo, const char *mpi_version)
{
	cJSON *libs = cJSON_AddObjectToObject(inv->root, "libraries");
	if (!libs)
		return;
	if (mpi_version) {
		char *v = strdup(mpi_version);
		if (v) {
			squeeze(v);  /* MPICH's is several lines */
			set_str(libs, "mpi", v);
			free(v);
		}
	}
	libs_openblas(libs);
	/* The loaded library's version where hwloc says it, else the headers'. */
	const char *hv = topo ? hwloc_obj_get_info_by_name(hwloc_get_root_obj(topo), "hwlocVersion")
			      : NULL;
	set_str(libs, "hwloc", hv ? hv : HWLOC_VERSION);
	set_str(libs, "cjson", cJSON_Version());
	set_str(libs, "glibc", gnu_get_libc_version());
	libs_fio(inv, libs);
	anvil_gpu_versions(libs);
}

/* ---- volatile ----------------------------------------------------------- */

/* Readings that differ from minute to minute, or with the job's cgroup: kept
 * for the record, never compared. */
static void add_volatile(struct inv *inv, hwloc_topology_t topo)
{
	cJSON *vol = cJSON_AddObjectToObject(inv->root, "volatile");
	int err = 0;
	char *meminfo = slurp("/proc/meminfo", NULL, &err);
	char line[256];
	double a, b, c;
	if (!vol)
		goto out;
	long long kb = meminfo ? anvil_inventory_meminfo_kb(meminfo, "MemAvailable") : -1;
	if (kb >= 0)
		set_num(vol, "mem_available_bytes", (double)kb * 1024);
	kb = meminfo ? anvil_inventory_meminfo_kb(meminfo, "HugePages_Free") : -1;
	if (kb >= 0)
		set_num(vol, "hugepages_free", (double)kb);
	if (read_line("/proc/loadavg", line, sizeof(line)) == 0 &&
	    sscanf(line, "%lf %lf %lf", &a, &b, &c) == 3) {
		cJSON *l = cJSON_AddArrayToObject(vol, "loadavg");
		cJSON_AddItemToArray(l, cJSON_CreateNumber(a));
		cJSON_AddItemToArray(l, cJSON_CreateNumber(b));
		cJSON_AddItemToArray(l, cJSON_CreateNumber(c));
	} else {
		note(inv, "volatile.loadavg", "/proc/loadavg unreadable");
	}
	if (read_line("/proc/uptime", line, sizeof(line)) == 0 && sscanf(line, "%lf", &a) == 1)
		set_num(vol, "uptime_s", a);
	if (topo)
		set_num(vol, "allowed_threads",
			hwloc_bitmap_weight(hwloc_topology_get_allowed_cpuset(topo)));
out:
	free(meminfo);
}

/* ---- collect --------------------------------------------------------------- */

static void add_hostname(struct inv *inv)
{
	char host[256];
	if (gethostname(host, sizeof(host)) == 0) {
		host[sizeof(host) - 1] = '\0';
		set_str(inv->root, "hostname", host);
	} else {
		note(inv, "hostname", "%s", strerror(errno));
	}
}

cJSON *anvil_inventory_collect(const char *mpi_version)
{
	struct inv inv = { cJSON_CreateObject(), cJSON_CreateArray() };
	if (!inv.root || !inv.unreadable) {
		cJSON_Delete(inv.root);
		cJSON_Delete(inv.unreadable);
		return NULL;
	}
	hwloc_topology_t topo = topology_load(&inv);
	set_num(inv.root, "schema", ANVIL_INVENTORY_SCHEMA);
	add_hostname(&inv);
	add_cpu(&inv, topo);
	add_memory(&inv);
	add_numa(&inv, topo);
	add_os(&inv);
	add_dmi(&inv);
	add_sysctls(&inv);
	add_libraries(&inv, topo, mpi_version);
	/* GPUs through NVML (one object per GPU), RDMA ports through libibverbs */
	cJSON *gpus = cJSON_AddArrayToObject(inv.root, "gpus");
	cJSON *rdma = cJSON_AddArrayToObject(inv.root, "rdma");
	add_volatile(&inv, topo);
	anvil_rdma_inventory(rdma, inv.unreadable);
	anvil_gpu_inventory(gpus, cJSON_GetObjectItemCaseSensitive(inv.root, "volatile"), inv.unreadable);
	cJSON_AddItemToObject(inv.root, "unreadable", inv.unreadable);
	if (topo)
		hwloc_topology_destroy(topo);
	return inv.root;
}

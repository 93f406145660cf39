/*
 * Hostlist expressions as Slurm writes them: "gpu[01-04,07],cpu-a1".
 *
 * Expanding follows Slurm's hostlist_create() (one-dimensional clusters):
 * names are separated by commas or white space at the top level; a bracket
 * group holds numbers and ranges ("[01-04,07]") whose zero padding is the
 * width of the range's first number ("[8-10]" → 8 9 10, "[08-10]" → 08 09
 * 10); text may follow the last group ("n[1-2]-ib" → n1-ib n2-ib); a name
 * may hold several groups ("rack[1-2]-n[01-02]" → rack1-n01 rack1-n02
 * rack2-n01 rack2-n02, in Slurm's order). Duplicates are kept, in order.
 *
 * Compressing follows Slurm's hostset (hostlist_uniq + ranged string, as in
 * `scontrol show hostlistsorted` without duplicates): each name is split
 * into a prefix and its trailing number; names are sorted by prefix
 * (natural order) then number, duplicates dropped, consecutive numbers of
 * the same prefix and compatible zero padding joined into ranges:
 * node1,node3,node2,linux → "linux,node[1-3]".
 *
 * Stricter than Slurm, each with a message naming the column: nested or
 * unmatched brackets, an empty range ("[1,,2]", "[]"), anything but digits,
 * ',' and '-' inside brackets (Slurm takes "+1" and "[1-]"), a number of more
 * than 18 digits. Limits: at most 65536 numbers in one bracket group (Slurm's
 * MAX_RANGE and MAX_PREFIX_CNT), at most ANVIL_HOSTLIST_MAX_HOSTS names in all.
 */
#ifndef ANVIL_HOSTLIST_H
#define ANVIL_HOSTLIST_H
#include <stddef.h>

#define ANVIL_HOSTLIST_MAX_HOSTS (1u << 20)

struct anvil_hostlist {
	char **hosts;   /* owned, each owned */
	size_t n, cap;
};
#define ANVIL_HOSTLIST_INIT { NULL, 0, 0 }

/*
 * Appends the names of the expression expr[0..len) to hl (which may already
 * hold names). expr needs no NUL and may hold any bytes: a pure function of
 * its input, for fuzzing. Returns 0, or -1 with "column N: what" in err (hl
 * then holds what came before the bad name, and is still the caller's to
 * release). An empty expression adds nothing.
 */
int anvil_hostlist_expand(struct anvil_hostlist *hl, const char *expr, size_t len,
			  char *err, size_t errlen);
/* Appends one name as is (no expansion). Returns 0, or -1 when out of memory. */
int anvil_hostlist_push(struct anvil_hostlist *hl, const char *host);
void anvil_hostlist_release(struct anvil_hostlist *hl);

/*
 * The compressed form of a set of names (sorted, unique, ranged), as a
 * malloc'd string the caller frees; "" for no names; NULL when out of memory.
 */
char *anvil_hostlist_compress(const char *const *hosts, size_t n);
/* The compressed form of hl's names. */
char *anvil_hostlist_ranged(const struct anvil_hostlist *hl);
/* Expression in, canonical compressed expression out (NULL with err on bad input). */
char *anvil_hostlist_normalise(const char *expr, size_t len, char *err, size_t errlen);

/* Slurm's natural order of two names (strnatcmp): "n2" < "n10", "n01" < "n1". */
int anvil_hostlist_natcmp(const char *a, const char *b);

#endif

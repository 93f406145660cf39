/* common/hostlist.c: a Slurm hostlist expression (a cluster config's
 * "nodes"), expanded, compressed again, and normalised. Built when
 * common/hostlist.c is in the tree. */
#include "tests/fuzz/fuzz.h"
#include "common/hostlist.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct anvil_hostlist hl = ANVIL_HOSTLIST_INIT;
	char err[512];
	int rc = anvil_hostlist_expand(&hl, (const char *)data, size, err, sizeof(err));
	/* a million names is allowed and takes a second natively, twenty under
	 * the sanitizers: sorting them again teaches the fuzzer nothing new */
	int large = hl.n > 50000;
	if (rc == 0 && !large)
		free(anvil_hostlist_ranged(&hl));
	anvil_hostlist_release(&hl);
	if (!large)
		free(anvil_hostlist_normalise((const char *)data, size, err, sizeof(err)));
	return 0;
}

/* The cluster config's "nodes" (a hostlist), "expect" (pinned inventory
 * values) and "slurm" sections: accepted shapes, refused ones with where and what. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>
#include "bench/config.h"

static int check(const char *body, char *err, size_t errlen)
{
	char text[2048];
	snprintf(text, sizeof(text), "{\"schema\": \"anvil-cluster/1\", %s}", body);
	struct anvil_json_doc doc;
	if (anvil_json_parse(text, strlen(text), "c.json", &doc, err, errlen))
		fail_msg("does not parse: %s", err);
	int rc = anvil_cluster_check(&doc, err, errlen);
	anvil_json_doc_release(&doc);
	return rc;
}

static void accepted(const char *body)
{
	char err[512];
	if (check(body, err, sizeof(err)))
		fail_msg("%s: refused: %s", body, err);
}

static void refused(const char *body, const char *want)
{
	char err[512] = "";
	assert_int_equal(check(body, err, sizeof(err)), -1);
	if (!strstr(err, want))
		fail_msg("%s: error \"%s\" lacks \"%s\"", body, err, want);
}

static void test_nodes(void **state)
{
	accepted("\"nodes\": \"gpu[01-16]\"");
	accepted("\"nodes\": \"gpu[01-04,07],cpu-a1\"");
	refused("\"nodes\": \"gpu[01-16\"", "c.json:1:40: \"nodes\" is not a hostlist expression: column 4: '[' is never closed");
	refused("\"nodes\": \" , \"", "\"nodes\" is empty");
	refused("\"nodes\": [\"a\", \"b\"]", "must be a string");
}

static void test_expect(void **state)
{
	accepted("\"expect\": {\"gpus_per_node\": 8, \"driver\": \"550.90\", \"pcie\": \"Gen5 x16\", \"kernel\": \"6.1.0-18-amd64\", "
		 "\"fields\": {\"os.version_id\": \"12\", \"gpus.*.ecc_enabled\": true, \"cpu.sockets\": 2}, "
		 "\"tolerances\": {\"memory.total_bytes\": 0.02}, \"ignore\": [\"cpu.microcode\"]}");
	refused("\"expect\": {\"drivers\": \"1\"}", "unknown key \"drivers\" in \"expect\" (expected fields, tolerances, ignore, or one of: gpus_per_node, driver");
	refused("\"expect\": {\"pcie\": \"Gen5x16\"}", "must read like \"Gen5 x16\"");
	refused("\"expect\": {\"gpus_per_node\": -1}", "\"expect\".\"gpus_per_node\" must be");
	refused("\"expect\": {\"driver\": [\"550\"]}", "must be a string, number or true/false");
	refused("\"expect\": {\"fields\": {\"os.\": 1}}", "\"os.\" is not a field name");
	refused("\"expect\": {\"fields\": {\"a\": {\"b\": 1}}}", "the pinned value of \"a\" must be a string, number or true/false");
	refused("\"expect\": {\"driver\": \"1\", \"fields\": {\"gpus.*.driver_version\": \"2\"}}", "pinned twice");
	refused("\"expect\": {\"tolerances\": {\"memory.total_bytes\": \"1%\"}}", "the tolerance of \"memory.total_bytes\"");
	refused("\"expect\": {\"ignore\": [3]}", "holds field names (strings)");
}

static void test_slurm(void **state)
{
	accepted("\"slurm\": {\"partition\": \"gpu\", \"account\": \"ops\", \"mpi\": \"pmi2\", \"exclusive\": true, \"time_margin\": 2}");
	refused("\"slurm\": {\"mpi\": \"openmpi\"}", "unknown srun --mpi type \"openmpi\"");
	refused("\"slurm\": {\"partition\": \"gpu\\nrm -rf /\"}", "holds '?'");
	refused("\"slurm\": {\"account\": \"a b\"}", "holds ' '");
	refused("\"slurm\": {\"time_margin\": 0.5}", "time_margin");
	refused("\"slurm\": {\"partitions\": \"gpu\"}", "unknown key \"partitions\"");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_nodes),
		cmocka_unit_test(test_expect),
		cmocka_unit_test(test_slurm),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

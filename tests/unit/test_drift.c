/* Inventory drift on synthetic inventories: 3 nodes with one drifted, 16
 * nodes with one GPU driver off, pinned expectations, tolerances, ties,
 * absent, volatile and identity fields, and the report built from a journal. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "reports/drift.h"
#include "reports/report.h"

/* A plain node: Debian 12, 8 H100s on driver 550.90 at Gen5 x16. */
static cJSON *node_inv(const char *host)
{
	char text[4096];
	int n = snprintf(text, sizeof(text),
		"{\"schema\": 1, \"hostname\": \"%s\", \"cpu\": {\"model\": \"AMD EPYC 9654 96-Core Processor\", "
		"\"sockets\": 2, \"flags\": [\"avx\", \"avx2\", \"avx512f\", \"avx512bw\", \"fma\"]}, "
		"\"memory\": {\"total_bytes\": 811748556800}, \"os\": {\"version_id\": \"12\", \"kernel\": \"6.1.0-18-amd64\"}, "
		"\"volatile\": {\"loadavg\": \"0.%d 0.1 0.1\", \"mem_available_bytes\": %d}, \"unreadable\": [\"x: %s\"], \"gpus\": [",
		host, (int)strlen(host), (int)strlen(host) * 1000, host);
	for (int g = 0; g < 8; g++)
		n += snprintf(text + n, sizeof(text) - (size_t)n,
			      "%s{\"index\": %d, \"name\": \"NVIDIA H100 80GB HBM3\", \"driver_version\": \"550.90\", "
			      "\"pcie_max_gen\": 5, \"pcie_max_width\": 16, \"uuid\": \"GPU-%s-%d\", \"ecc_enabled\": true}",
			      g ? ", " : "", g, host, g);
	snprintf(text + n, sizeof(text) - (size_t)n, "], \"rdma\": []}");
	cJSON *j = cJSON_Parse(text);
	assert_non_null(j);
	return j;
}

static cJSON *cluster_of(int nodes, const char *name_fmt)
{
	cJSON *inv = cJSON_CreateObject();
	for (int i = 1; i <= nodes; i++) {
		char h[32];
		snprintf(h, sizeof(h), name_fmt, i);
		cJSON_AddItemToObject(inv, h, node_inv(h));
	}
	return inv;
}

static cJSON *get_path(cJSON *root, const char *path)
{
	char buf[256];
	snprintf(buf, sizeof(buf), "%s", path);
	cJSON *o = root;
	for (char *save, *k = strtok_r(buf, "/", &save); k && o; k = strtok_r(NULL, "/", &save))
		o = cJSON_IsArray(o) ? cJSON_GetArrayItem(o, atoi(k)) : cJSON_GetObjectItemCaseSensitive(o, k);
	return o;
}

static void set(cJSON *inv, const char *host, const char *path, cJSON *v)
{
	char buf[256];
	snprintf(buf, sizeof(buf), "%s", path);
	char *last = strrchr(buf, '/');
	*last = '\0';
	cJSON *parent = get_path(cJSON_GetObjectItemCaseSensitive(inv, host), buf);
	assert_non_null(parent);
	if (cJSON_IsArray(parent))
		cJSON_ReplaceItemInArray(parent, atoi(last + 1), v);
	else if (cJSON_GetObjectItemCaseSensitive(parent, last + 1))
		cJSON_ReplaceItemInObjectCaseSensitive(parent, last + 1, v);
	else
		cJSON_AddItemToObject(parent, last + 1, v);
}

static cJSON *judge(cJSON *inv, const char *cluster_json)
{
	cJSON *report = cJSON_CreateObject();
	cJSON_AddArrayToObject(report, "tests");
	cJSON *cluster = cluster_json ? cJSON_Parse(cluster_json) : NULL;
	anvil_drift_judge(report, inv, cluster);
	cJSON_Delete(cluster);
	return report;
}

static const char *s(const cJSON *o, const char *k)
{
	const char *v = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, k));
	return v ? v : "";
}

static cJSON *checks_of(cJSON *report)
{
	cJSON *t = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(report, "tests"), 0);
	return t ? cJSON_GetObjectItemCaseSensitive(t, "checks") : NULL;
}

static cJSON *find_check(cJSON *report, const char *name, const char *rule, const char *verdict)
{
	cJSON *c;
	cJSON_ArrayForEach(c, checks_of(report))
		if (!strcmp(s(c, "name"), name) && !strcmp(s(c, "rule"), rule) && !strcmp(s(c, "verdict"), verdict))
			return c;
	return NULL;
}

static void test_three_nodes_one_drifted(void **state)
{
	cJSON *inv = cluster_of(3, "node%d");
	set(inv, "node2", "os/version_id", cJSON_CreateString("11"));
	cJSON *r = judge(inv, NULL);
	cJSON *drift = cJSON_GetObjectItemCaseSensitive(r, "drift");
	assert_int_equal(cJSON_GetArraySize(drift), 1);
	cJSON *e = cJSON_GetArrayItem(drift, 0);
	assert_string_equal(s(e, "field"), "os.version_id");
	assert_string_equal(s(e, "majority"), "12");
	assert_string_equal(s(e, "majority_hosts"), "node[1,3]");
	cJSON *m = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(e, "minority"), 0);
	assert_string_equal(s(m, "value"), "11");
	assert_string_equal(s(m, "hosts"), "node2");
	cJSON *c = find_check(r, "os.version_id", "drift", "WARN");
	assert_non_null(c);
	assert_string_equal(s(c, "host"), "node2");
	assert_string_equal(s(c, "why"), "node2: OS version 11, 2 others 12");
	assert_int_equal(cJSON_GetArraySize(checks_of(r)), 1);  /* uuids, volatile, unreadable: never compared */
	cJSON *sum = cJSON_GetObjectItemCaseSensitive(r, "drift_summary");
	assert_int_equal(cJSON_GetObjectItemCaseSensitive(sum, "nodes")->valueint, 3);
	assert_int_equal(cJSON_GetObjectItemCaseSensitive(sum, "drifted")->valueint, 1);
	cJSON_Delete(r);
	cJSON_Delete(inv);
}

static void test_sixteen_nodes(void **state)
{
	cJSON *inv = cluster_of(16, "gpu%02d");
	for (int g = 0; g < 8; g++) {
		char p[64];
		snprintf(p, sizeof(p), "gpus/%d/driver_version", g);
		set(inv, "gpu07", p, cJSON_CreateString("550.54"));
	}
	/* memory: within 1% is the same; 3% less is drift */
	set(inv, "gpu02", "memory/total_bytes", cJSON_CreateNumber(811748556800.0 * 0.995));
	set(inv, "gpu11", "memory/total_bytes", cJSON_CreateNumber(811748556800.0 * 0.97));
	/* one missing CPU flag; one GPU at x8; a field only one node has */
	set(inv, "gpu05", "cpu/flags", cJSON_Parse("[\"avx\", \"avx2\", \"avx512bw\", \"fma\"]"));
	set(inv, "gpu09", "gpus/3/pcie_max_width", cJSON_CreateNumber(8));
	set(inv, "gpu16", "os/extra", cJSON_CreateString("yes"));
	cJSON *r = judge(inv, NULL);
	cJSON *c = find_check(r, "gpus.*.driver_version", "drift", "WARN");
	assert_non_null(c);
	assert_string_equal(s(c, "why"), "gpu07: GPU driver 550.54, 15 others 550.90");
	cJSON *e = NULL;
	cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(r, "drift"))
		if (!strcmp(s(e, "field"), "gpus.*.driver_version"))
			break;
	assert_non_null(e);
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(e, "keys")), 8);
	assert_string_equal(s(e, "majority_hosts"), "gpu[01-06,08-16]");
	c = find_check(r, "memory.total_bytes", "drift", "WARN");
	assert_non_null(c);
	assert_string_equal(s(c, "host"), "gpu11");   /* gpu02 is within the 1% */
	assert_non_null(strstr(s(c, "why"), "15 others 811748556800 (within the tolerance)"));
	c = find_check(r, "cpu.flags", "drift", "WARN");
	assert_non_null(c);
	assert_string_equal(s(c, "why"), "gpu05: cpu.flags without avx512f, 15 others the full list (5 words)");
	/* the derived link is compared, and the raw width too: both name gpu09 only */
	c = find_check(r, "gpus.3.pcie", "drift", "WARN");
	assert_non_null(c);
	assert_string_equal(s(c, "why"), "gpu09: GPU PCIe link Gen5 x8, 15 others Gen5 x16");
	c = find_check(r, "os.extra", "drift", "WARN");
	assert_non_null(c);
	assert_string_equal(s(c, "host"), "gpu16");
	assert_string_equal(s(c, "why"), "gpu16: os.extra yes, 15 others absent");
	assert_null(find_check(r, "gpus.*.uuid", "drift", "WARN"));
	cJSON_Delete(r);
	cJSON_Delete(inv);
}

/* Two hundred nodes: flattened and grouped on two threads; the entries in
 * field order and the same sentences as on one. */
static void test_two_hundred_nodes(void **state)
{
	cJSON *inv = cluster_of(200, "n%03d");
	for (int g = 0; g < 8; g++) {
		char p[64];
		snprintf(p, sizeof(p), "gpus/%d/driver_version", g);
		set(inv, "n007", p, cJSON_CreateString("550.54"));
	}
	set(inv, "n150", "os/version_id", cJSON_CreateString("11"));
	set(inv, "n199", "memory/total_bytes", cJSON_CreateNumber(811748556800.0 * 0.9));
	set(inv, "n001", "cpu/model", cJSON_CreateString("AMD EPYC 9554 64-Core Processor"));
	cJSON *r = judge(inv, NULL);
	static const char *const fields[] = { "cpu.model", "gpus.*.driver_version", "memory.total_bytes", "os.version_id" };
	static const char *const hosts[] = { "n001", "n007", "n199", "n150" };
	cJSON *drift = cJSON_GetObjectItemCaseSensitive(r, "drift");
	assert_int_equal(cJSON_GetArraySize(drift), 4);
	for (int i = 0; i < 4; i++) {
		cJSON *e = cJSON_GetArrayItem(drift, i);
		assert_string_equal(s(e, "field"), fields[i]);
		cJSON *c = find_check(r, fields[i], "drift", "WARN");
		assert_non_null(c);
		assert_string_equal(s(c, "host"), hosts[i]);
	}
	assert_string_equal(s(find_check(r, "gpus.*.driver_version", "drift", "WARN"), "why"),
			    "n007: GPU driver 550.54, 199 others 550.90");
	assert_string_equal(s(cJSON_GetArrayItem(drift, 3), "majority_hosts"), "n[001-149,151-200]");
	assert_int_equal(cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(r, "drift_summary"), "nodes")->valueint, 200);
	cJSON_Delete(r);
	cJSON_Delete(inv);
}

static void test_pinned(void **state)
{
	cJSON *inv = cluster_of(16, "gpu%02d");
	for (int g = 0; g < 8; g++) {
		char p[64];
		snprintf(p, sizeof(p), "gpus/%d/driver_version", g);
		set(inv, "gpu07", p, cJSON_CreateString("550.54"));
	}
	set(inv, "gpu03", "gpus/2/pcie_max_gen", cJSON_CreateNumber(4));
	cJSON_DeleteItemFromArray(get_path(inv, "gpu12/gpus"), 7);
	const char *cluster = "{\"expect\": {\"gpus_per_node\": 8, \"driver\": \"550.90\", \"pcie\": \"Gen5 x16\", "
			      "\"fields\": {\"os.version_id\": 12, \"cpu.sockets\": \"2\", \"dmi.bios_version\": \"1.2\"}}}";
	cJSON *r = judge(inv, cluster);
	cJSON *c = find_check(r, "gpus.*.driver_version", "pinned", "FAIL");
	assert_non_null(c);
	assert_string_equal(s(c, "host"), "gpu07");
	assert_string_equal(s(c, "why"), "gpu07: GPU driver 550.54, expected 550.90 (pinned in the cluster config)");
	c = find_check(r, "gpus.*.driver_version", "pinned", "PASS");
	assert_string_equal(s(c, "host"), "gpu[01-06,08-16]");
	c = find_check(r, "gpus.*.pcie", "pinned", "FAIL");
	assert_string_equal(s(c, "why"), "gpu03: GPU PCIe link Gen4 x16 (gpus.2.pcie), expected Gen5 x16 (pinned in the cluster config)");
	c = find_check(r, "gpus.count", "pinned", "FAIL");
	assert_string_equal(s(c, "why"), "gpu12: GPU count 7, expected 8 (pinned in the cluster config)");
	/* a number pinned as a string and a string pinned as a number both match */
	assert_null(find_check(r, "os.version_id", "pinned", "FAIL"));
	assert_string_equal(s(find_check(r, "os.version_id", "pinned", "PASS"), "host"), "gpu[01-16]");
	assert_null(find_check(r, "cpu.sockets", "pinned", "FAIL"));
	/* a pinned field no node reports fails everywhere */
	c = find_check(r, "dmi.bios_version", "pinned", "FAIL");
	assert_string_equal(s(c, "why"), "gpu[01-16]: BIOS version absent, expected 1.2 (pinned in the cluster config)");
	/* pinned drift is listed but judged by the pin alone: no WARN beside the FAIL */
	assert_null(find_check(r, "gpus.*.driver_version", "drift", "WARN"));
	cJSON *e;
	cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(r, "drift"))
		if (!strcmp(s(e, "field"), "gpus.*.driver_version"))
			assert_true(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(e, "pinned")));
	anvil_report_summarise(r);
	assert_string_equal(s(r, "verdict"), "FAIL");
	cJSON_Delete(r);
	cJSON_Delete(inv);
}

static void test_config_tolerance_ignore_tie(void **state)
{
	cJSON *inv = cluster_of(2, "n%d");
	set(inv, "n2", "os/kernel", cJSON_CreateString("6.1.0-21-amd64"));
	set(inv, "n2", "memory/total_bytes", cJSON_CreateNumber(811748556800.0 * 0.96));
	set(inv, "n2", "cpu/model", cJSON_CreateString("AMD EPYC 9654P"));
	cJSON *r = judge(inv, "{\"expect\": {\"tolerances\": {\"memory.total_bytes\": 0.05}, \"ignore\": [\"cpu.model\"]}}");
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(r, "drift")), 1);
	cJSON *c = find_check(r, "os.kernel", "drift", "WARN");
	assert_string_equal(s(c, "why"), "n2: kernel 6.1.0-21-amd64; n1: 6.1.0-18-amd64 (no majority)");
	assert_true(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(
		cJSON_GetObjectItemCaseSensitive(r, "drift"), 0), "tie")));
	cJSON_Delete(r);
	/* one node, nothing pinned: nothing to judge, no test added */
	cJSON *one = cluster_of(1, "solo%d");
	r = judge(one, NULL);
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(r, "tests")), 0);
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(r, "drift")), 0);
	cJSON_Delete(r);
	cJSON_Delete(one);
	cJSON_Delete(inv);
}

static void test_match_and_aliases(void **state)
{
	assert_true(anvil_drift_match("gpus.*.pcie", "gpus.3.pcie"));
	assert_false(anvil_drift_match("gpus.*.pcie", "gpus.3.pcie_max"));
	assert_false(anvil_drift_match("gpus.*", "gpus.3.pcie"));
	assert_true(anvil_drift_match("sysctls.vm.swappiness", "sysctls.vm.swappiness"));
	assert_false(anvil_drift_match("a.*", "a."));
	assert_string_equal(anvil_drift_alias("driver"), "gpus.*.driver_version");
	assert_string_equal(anvil_drift_alias("gpus_per_node"), "gpus.count");
	assert_null(anvil_drift_alias("fields"));
}

/* Through the report builder: inventory records of a journal, the cluster
 * config of the run start record, the WARN in the run's verdict. */
static void test_from_journal(void **state)
{
	cJSON *recs = cJSON_Parse("[{\"kind\": \"run\", \"event\": \"start\", \"t\": 1, \"plan\": {\"tests\": []}, "
				  "\"profile_doc\": {\"name\": \"p\", \"checks\": []}, \"cluster\": {\"name\": \"c\", "
				  "\"expect\": {\"os_version\": \"12\"}}}]");
	const char *hosts[] = { "a1", "a2", "a3" };
	for (int i = 0; i < 3; i++) {
		cJSON *rec = cJSON_CreateObject();
		cJSON_AddStringToObject(rec, "kind", "inventory");
		cJSON_AddStringToObject(rec, "host", hosts[i]);
		cJSON *inv = node_inv(hosts[i]);
		if (i == 2)
			cJSON_ReplaceItemInObjectCaseSensitive(cJSON_GetObjectItemCaseSensitive(inv, "os"), "version_id",
							       cJSON_CreateString("13"));
		cJSON_AddItemToObject(rec, "inventory", inv);
		cJSON_AddItemToArray(recs, rec);
	}
	char err[256];
	cJSON *r = anvil_report_build(recs, NULL, "/nonexistent", "dir", 0, 0, err, sizeof(err));
	assert_non_null(r);
	assert_string_equal(s(r, "verdict"), "FAIL");
	cJSON *t;
	cJSON_ArrayForEach(t, cJSON_GetObjectItemCaseSensitive(r, "tests"))
		if (!strcmp(s(t, "id"), "inventory"))
			break;
	assert_non_null(t);
	assert_string_equal(s(t, "verdict"), "FAIL");
	cJSON *first = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(t, "checks"), 0);
	assert_string_equal(s(first, "why"), "a3: OS version 13, expected 12 (pinned in the cluster config)");
	cJSON_Delete(r);
	cJSON_Delete(recs);
}

/* A host's inventory recorded again (a resumed run) replaces the first, in
 * the place of its last record; a record without one takes the host out. */
static void test_inventory_recorded_again(void **state)
{
	(void)state;
	cJSON *recs = cJSON_Parse("[{\"kind\": \"run\", \"event\": \"start\", \"t\": 1, \"plan\": {\"tests\": []}, "
				  "\"profile_doc\": {\"name\": \"p\", \"checks\": []}}]");
	const char *hosts[] = { "a1", "a2", "a3", "a1", "a2" };
	for (int i = 0; i < 5; i++) {
		cJSON *rec = cJSON_CreateObject();
		cJSON_AddStringToObject(rec, "kind", "inventory");
		cJSON_AddStringToObject(rec, "host", hosts[i]);
		if (i < 4) {
			cJSON *inv = node_inv(hosts[i]);
			cJSON_AddNumberToObject(inv, "record", i);
			cJSON_AddItemToObject(rec, "inventory", inv);
		}
		cJSON_AddItemToArray(recs, rec);
	}
	char err[256];
	cJSON *r = anvil_report_build(recs, NULL, "/nonexistent", "dir", 0, 0, err, sizeof(err));
	assert_non_null(r);
	const cJSON *inv = cJSON_GetObjectItemCaseSensitive(r, "inventory"), *h;
	assert_int_equal(cJSON_GetArraySize(inv), 2);
	const char *want[] = { "a3", "a1" };
	const int rec[] = { 2, 3 };
	int k = 0;
	cJSON_ArrayForEach(h, inv) {
		assert_string_equal(h->string, want[k]);
		assert_int_equal(cJSON_GetObjectItemCaseSensitive(h, "record")->valueint, rec[k]);
		k++;
	}
	cJSON_Delete(r);
	cJSON_Delete(recs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_three_nodes_one_drifted),
		cmocka_unit_test(test_sixteen_nodes),
		cmocka_unit_test(test_two_hundred_nodes),
		cmocka_unit_test(test_pinned),
		cmocka_unit_test(test_config_tolerance_ignore_tie),
		cmocka_unit_test(test_match_and_aliases),
		cmocka_unit_test(test_from_journal),
		cmocka_unit_test(test_inventory_recorded_again),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

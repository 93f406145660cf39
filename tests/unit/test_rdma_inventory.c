/* The inventory's RDMA ports (bench/rdma_inventory.c): what one port records,
 * from a port as libibverbs reports it, and an empty list where there is no
 * device (this machine's kernel has no RDMA). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>
#include <unistd.h>

#include "bench/rdma_inventory.h"

static const char *str(const cJSON *o, const char *k)
{
	return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, k));
}

static double num(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
	assert_true(cJSON_IsNumber(v));
	return v->valuedouble;
}

static void test_ndr_port(void **state)
{
	(void)state;
	struct anvil_rdma_port p = { .device = "mlx5_0", .port = 1, .state = ANVIL_RDMA_PORT_ACTIVE,
				     .link_layer = ANVIL_RDMA_LL_IB, .width = 2, .speed = 128,
				     .mtu_bytes = 4096, .fw_ver = "28.39.1002" };
	cJSON *un = cJSON_CreateArray();
	cJSON *o = anvil_rdma_port_facts(&p, 0, un);
	assert_string_equal(str(o, "device"), "mlx5_0");
	assert_int_equal((int)num(o, "port"), 1);
	assert_string_equal(str(o, "fw_ver"), "28.39.1002");
	assert_string_equal(str(o, "state"), "ACTIVE");
	assert_string_equal(str(o, "link_layer"), "InfiniBand");
	assert_string_equal(str(o, "rate"), "4X NDR");
	assert_float_equal(num(o, "rate_gbps"), 400, 1e-9);
	assert_int_equal((int)num(o, "mtu"), 4096);
	assert_int_equal(cJSON_GetArraySize(un), 0);
	cJSON_Delete(o);
	cJSON_Delete(un);
}

static void test_down_roce_port_unknown_rate(void **state)
{
	(void)state;
	/* a port that trained down and a speed code newer than the decoder */
	struct anvil_rdma_port p = { .device = "mlx5_1", .port = 2, .state = 1,
				     .link_layer = ANVIL_RDMA_LL_ETH, .width = 2, .speed = 3 };
	cJSON *un = cJSON_CreateArray();
	cJSON *o = anvil_rdma_port_facts(&p, 3, un);
	assert_string_equal(str(o, "state"), "DOWN");
	assert_string_equal(str(o, "link_layer"), "Ethernet");
	assert_null(cJSON_GetObjectItemCaseSensitive(o, "rate"));
	assert_null(cJSON_GetObjectItemCaseSensitive(o, "mtu"));
	assert_null(cJSON_GetObjectItemCaseSensitive(o, "fw_ver"));
	assert_int_equal(cJSON_GetArraySize(un), 1);
	const char *line = cJSON_GetStringValue(cJSON_GetArrayItem(un, 0));
	assert_non_null(strstr(line, "rdma.3.rate: "));
	cJSON_Delete(o);
	cJSON_Delete(un);
}

static void test_no_device_here(void **state)
{
	(void)state;
	if (access("/sys/class/infiniband", F_OK) == 0)
		skip();  /* a machine with RDMA devices: nothing to assert about emptiness */
	cJSON *rdma = cJSON_CreateArray(), *un = cJSON_CreateArray();
	anvil_rdma_inventory(rdma, un);
	assert_int_equal(cJSON_GetArraySize(rdma), 0);
	assert_int_equal(cJSON_GetArraySize(un), 0);
	cJSON_Delete(rdma);
	cJSON_Delete(un);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ndr_port),
		cmocka_unit_test(test_down_roce_port_unknown_rate),
		cmocka_unit_test(test_no_device_here),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

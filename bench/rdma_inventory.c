#include "bench/rdma_inventory.h"
#include "kernels/rdma_verbs.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void note(cJSON *unreadable, const char *field, const char *why)
{
	char line[360];
	snprintf(line, sizeof(line), "%s: %s", field, why);
	if (unreadable)
		cJSON_AddItemToArray(unreadable, cJSON_CreateString(line));
}

cJSON *anvil_rdma_port_facts(const struct anvil_rdma_port *p, int index, cJSON *unreadable)
{
	cJSON *o = cJSON_CreateObject();
	if (!o)
		return NULL;
	cJSON_AddStringToObject(o, "device", p->device);
	cJSON_AddNumberToObject(o, "port", p->port);
	if (p->fw_ver[0])
		cJSON_AddStringToObject(o, "fw_ver", p->fw_ver);
	cJSON_AddStringToObject(o, "state", anvil_rdma_port_state_name(p->state));
	cJSON_AddStringToObject(o, "link_layer", anvil_rdma_link_layer_name(p->link_layer));
	struct anvil_rdma_rate r;
	char why[200];
	if (anvil_rdma_decode_rate(p->width, p->speed, p->speed_ex, p->link_layer, &r, why, sizeof(why)) == 0) {
		char rate[48];
		snprintf(rate, sizeof(rate), "%dX %s", r.lanes, r.speed_name);
		cJSON_AddStringToObject(o, "rate", rate);
		cJSON_AddNumberToObject(o, "rate_gbps", r.data_gbps);
	} else {
		char field[32];
		snprintf(field, sizeof(field), "rdma.%d.rate", index);
		note(unreadable, field, why);
	}
	if (p->mtu_bytes > 0)
		cJSON_AddNumberToObject(o, "mtu", p->mtu_bytes);
	return o;
}

void anvil_rdma_inventory(cJSON *rdma, cJSON *unreadable)
{
	if (!rdma)
		return;
#ifdef ANVIL_HAVE_IBVERBS
	struct anvil_rdma_port *ports = NULL;
	int n = 0;
	char why[300];
	if (anvil_rdma_list_ports(&ports, &n, why, sizeof(why))) {
		/* "no RDMA device": nothing to record; devices that would not
		 * answer are worth a line */
		if (!strstr(why, "no RDMA device"))
			note(unreadable, "rdma", why);
		free(ports);
		return;
	}
	for (int i = 0; i < n; i++) {
		cJSON *o = anvil_rdma_port_facts(&ports[i], i, unreadable);
		if (o)
			cJSON_AddItemToArray(rdma, o);
	}
	free(ports);
#else
	(void)unreadable;
#endif
}

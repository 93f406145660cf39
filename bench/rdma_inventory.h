/* The "rdma" part of the node inventory: one object per port of every
 * RDMA device libibverbs sees (kernels/rdma_verbs.h's port list). */
#ifndef ANVIL_RDMA_INVENTORY_H
#define ANVIL_RDMA_INVENTORY_H
#include <cjson/cJSON.h>
#include "kernels/rdma_select.h"

/*
 * One port as the inventory records it: "device", "port", "fw_ver",
 * "state" ("ACTIVE", "DOWN" …), "link_layer" ("InfiniBand", "Ethernet"),
 * "rate" ("4X NDR") and "rate_gbps" (the link's data rate, as
 * anvil_rdma_decode_rate defines it), "mtu" (active MTU, bytes). A rate
 * code the decoder does not know leaves the rate out and adds "rdma.N: why"
 * to unreadable (may be NULL). Caller owns the object.
 */
cJSON *anvil_rdma_port_facts(const struct anvil_rdma_port *p, int index, cJSON *unreadable);

/* Appends every port to rdma. No RDMA device (or a build without
 * libibverbs) leaves it empty: a node without RDMA is no fault of the
 * inventory, and the drift check compares rdma.count. Devices that exist
 * but cannot be queried add a line to unreadable. */
void anvil_rdma_inventory(cJSON *rdma, cJSON *unreadable);

#endif

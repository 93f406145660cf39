/*
 * The operator's side of a report: node sets in hostlist form, the Slurm
 * job a run part ran in, the HTML of nodes and drift, and the scontrol
 * lines that drain the nodes that failed.
 */
#ifndef ANVIL_REPORT_OPS_H
#define ANVIL_REPORT_OPS_H
#include <cjson/cJSON.h>
#include "common/strbuf.h"

/* Adds to a report's run part what its start record says about nodes:
 * "hostlist" (compressed) and "slurm" (job id, node list ...) when run under Slurm. */
void anvil_ops_part(cJSON *part, const cJSON *start_record);

/* The hosts of the checks with this verdict (a check's "host" may itself be
 * a hostlist), compressed; *count gets how many checks. Caller frees; "" when none. */
char *anvil_ops_hosts_of(const cJSON *checks, const char *verdict, int *count);

/* report.html's "Nodes" and "Inventory drift" sections. */
void anvil_ops_html(struct strbuf *out, const cJSON *report);

/*
 * One line per failed check, nodes grouped:
 *   scontrol update NodeName="node[03,07]" State=DRAIN Reason="anvil: stream triad_gbs peers"
 * Printed, never run. Everything from the journal is made inert: a node name
 * must be a plain host name (letters, digits, '.', '_', '-'; not starting
 * with '-') or it is left out with a note in notes; the reason keeps only
 * letters, digits and " ._:/=@,+-*%" (anything else becomes '_'), so no
 * quote, $, backquote, backslash or newline reaches the shell.
 * Returns the number of lines written to out.
 */
int anvil_ops_drain(const cJSON *report, struct strbuf *out, struct strbuf *notes);

#endif

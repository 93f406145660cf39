/* Node sets, the Slurm job, the nodes/drift HTML and drain commands. */
#include "reports/ops.h"
#include "common/hostlist.h"
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define REASON_MAX 120

static const char *s(const cJSON *o, const char *k)
{
	const char *v = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, k));
	return v ? v : "";
}

void anvil_ops_part(cJSON *part, const cJSON *rec)
{
	const cJSON *hl = cJSON_GetObjectItemCaseSensitive(rec, "hostlist");
	if (cJSON_IsString(hl)) {
		cJSON_AddStringToObject(part, "hostlist", hl->valuestring);
	} else {  /* journals from before the field: compress the host array */
		struct anvil_hostlist h = ANVIL_HOSTLIST_INIT;
		const cJSON *x;
		cJSON_ArrayForEach(x, cJSON_GetObjectItemCaseSensitive(rec, "hosts"))
			if (cJSON_IsString(x))
				anvil_hostlist_push(&h, x->valuestring);
		char *c = anvil_hostlist_ranged(&h);
		cJSON_AddStringToObject(part, "hostlist", c ? c : "");
		free(c);
		anvil_hostlist_release(&h);
	}
	const cJSON *sl = cJSON_GetObjectItemCaseSensitive(rec, "slurm");
	if (cJSON_IsObject(sl))
		cJSON_AddItemToObject(part, "slurm", cJSON_Duplicate(sl, 1));
}

/* Adds the names of a check's "host" (a name or a hostlist) to h. */
static void push_hosts(struct anvil_hostlist *h, const char *host)
{
	char why[128];
	size_t before = h->n;
	if (anvil_hostlist_expand(h, host, strlen(host), why, sizeof(why))) {
		while (h->n > before)
			free(h->hosts[--h->n]);
		anvil_hostlist_push(h, host);  /* not a hostlist: the name as is */
	}
}

char *anvil_ops_hosts_of(const cJSON *checks, const char *verdict, int *count)
{
	struct anvil_hostlist h = ANVIL_HOSTLIST_INIT;
	const cJSON *c;
	int n = 0;
	cJSON_ArrayForEach(c, checks) {
		if (strcmp(s(c, "verdict"), verdict))
			continue;
		n++;
		if (*s(c, "host"))
			push_hosts(&h, s(c, "host"));
	}
	char *out = anvil_hostlist_ranged(&h);
	anvil_hostlist_release(&h);
	if (count)
		*count = n;
	return out ? out : strdup("");
}

/* ---- HTML -------------------------------------------------------------------- */

static void cell(struct strbuf *out, const char *text)
{
	strbuf_adds(out, "<td>");
	strbuf_add_html(out, text);
	strbuf_adds(out, "</td>");
}

static void value_cell(struct strbuf *out, const cJSON *v)
{
	char buf[64];
	if (cJSON_IsString(v)) {
		cell(out, v->valuestring);
		return;
	}
	if (cJSON_IsNumber(v))
		snprintf(buf, sizeof(buf), "%.15g", v->valuedouble);
	else if (cJSON_IsBool(v))
		snprintf(buf, sizeof(buf), "%s", cJSON_IsTrue(v) ? "true" : "false");
	else
		snprintf(buf, sizeof(buf), "(absent)");
	cell(out, buf);
}

static void nodes_html(struct strbuf *out, const cJSON *report)
{
	const cJSON *p;
	strbuf_adds(out, "<h2>Nodes</h2>\n<table><tr><th>part</th><th>started</th><th>nodes</th>"
			 "<th>ranks</th><th>Slurm job</th><th>Slurm node list</th></tr>\n");
	cJSON_ArrayForEach(p, cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(report, "run"), "parts")) {
		const cJSON *sl = cJSON_GetObjectItemCaseSensitive(p, "slurm");
		strbuf_adds(out, "<tr>");
		cell(out, s(p, "event"));
		cell(out, s(p, "started"));
		cell(out, s(p, "hostlist"));
		/* a double, not an int: a journal may say anything here (null, 1e300) */
		strbuf_addf(out, "<td class=num>%.0f</td>",
			    cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(p, "ranks")));
		cell(out, sl ? s(sl, "job_id") : "");
		cell(out, sl ? s(sl, "nodelist") : "");
		strbuf_adds(out, "</tr>\n");
	}
	strbuf_adds(out, "</table>\n");
}

static void drift_html(struct strbuf *out, const cJSON *report)
{
	const cJSON *sum = cJSON_GetObjectItemCaseSensitive(report, "drift_summary");
	const cJSON *drift = cJSON_GetObjectItemCaseSensitive(report, "drift"), *d, *m;
	double n = cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(sum, "nodes"));
	if (!(n >= 1 && n <= 1e9))  /* no summary (NaN) or none sane: nothing to show */
		return;
	int nodes = (int)n;
	strbuf_addf(out, "<h2 id=drift>Inventory drift</h2>\n<p>%.0f field(s) compared across %d node(s): ",
		    cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(sum, "fields")), nodes);
	if (!cJSON_GetArraySize(drift)) {
		strbuf_adds(out, nodes > 1 ? "every field is the same on every node.</p>\n"
					   : "one node, nothing to compare.</p>\n");
		return;
	}
	strbuf_addf(out, "%d differ.</p>\n<table><tr><th>field</th><th>majority</th><th>on</th>"
			 "<th>other values</th></tr>\n", cJSON_GetArraySize(drift));
	cJSON_ArrayForEach(d, drift) {
		strbuf_adds(out, "<tr>");
		strbuf_adds(out, "<td>");
		strbuf_add_html(out, s(d, "field"));
		if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(d, "pinned")))
			strbuf_adds(out, " <span class=muted>(pinned)</span>");
		strbuf_adds(out, "</td>");
		value_cell(out, cJSON_GetObjectItemCaseSensitive(d, "majority"));
		cell(out, s(d, "majority_hosts"));
		strbuf_adds(out, "<td>");
		cJSON_ArrayForEach(m, cJSON_GetObjectItemCaseSensitive(d, "minority")) {
			const cJSON *v = cJSON_GetObjectItemCaseSensitive(m, "value");
			strbuf_adds(out, "<b>");
			strbuf_add_html(out, s(m, "hosts"));
			strbuf_adds(out, "</b>: ");
			if (cJSON_IsString(v)) {
				strbuf_add_html(out, v->valuestring);
			} else if (cJSON_IsNumber(v)) {
				strbuf_addf(out, "%.15g", v->valuedouble);
			} else {
				strbuf_adds(out, cJSON_IsBool(v) ? (cJSON_IsTrue(v) ? "true" : "false") : "(absent)");
			}
			strbuf_adds(out, "<br>");
		}
		strbuf_adds(out, "</td></tr>\n");
	}
	strbuf_adds(out, "</table>\n");
}

void anvil_ops_html(struct strbuf *out, const cJSON *report)
{
	nodes_html(out, report);
	drift_html(out, report);
}

/* ---- drain commands ------------------------------------------------------------ */

static int plain_host(const char *h)
{
	if (!*h || *h == '-' || strlen(h) > 253)
		return 0;
	for (; *h; h++)
		if (!isalnum((unsigned char)*h) && *h != '.' && *h != '_' && *h != '-')
			return 0;
	return 1;
}

/* "anvil: <test> <name> <rule>" with anything unsafe turned into '_'. */
static void reason_of(const cJSON *c, char *buf, size_t len)
{
	char raw[REASON_MAX * 2];
	snprintf(raw, sizeof(raw), "anvil: %s %s %s", s(c, "test"), s(c, "name"), s(c, "rule"));
	size_t n = 0;
	for (const char *p = raw; *p && n + 1 < len && n < REASON_MAX; p++)
		buf[n++] = isalnum((unsigned char)*p) || strchr(" ._:/=@,+-*%", *p) ? *p : '_';
	buf[n] = '\0';
}

struct drain_group {
	char reason[REASON_MAX + 1];
	struct anvil_hostlist hosts;
};

int anvil_ops_drain(const cJSON *report, struct strbuf *out, struct strbuf *notes)
{
	struct drain_group *g = NULL;
	int ng = 0, cap = 0, lines = 0;
	const cJSON *t, *c;
	cJSON_ArrayForEach(t, cJSON_GetObjectItemCaseSensitive(report, "tests")) {
		cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(t, "checks")) {
			if (strcmp(s(c, "verdict"), "FAIL") || !*s(c, "host"))
				continue;
			char reason[REASON_MAX + 1];
			reason_of(c, reason, sizeof(reason));
			int i;
			for (i = 0; i < ng && strcmp(g[i].reason, reason); i++)
				;
			if (i == ng) {
				if (ng == cap) {
					cap = cap ? cap * 2 : 8;
					struct drain_group *ng2 = realloc(g, (size_t)cap * sizeof(*g));
					if (!ng2)
						break;
					g = ng2;
				}
				memset(&g[ng], 0, sizeof(g[ng]));
				snprintf(g[ng].reason, sizeof(g[ng].reason), "%s", reason);
				ng++;
			}
			/* a plain name, or a hostlist of plain names (inventory checks); else nothing */
			const char *host = s(c, "host");
			struct anvil_hostlist all = ANVIL_HOSTLIST_INIT;
			char why[128];
			int good = plain_host(host) ? anvil_hostlist_push(&all, host) == 0
				   : anvil_hostlist_expand(&all, host, strlen(host), why, sizeof(why)) == 0;
			for (size_t k = 0; good && k < all.n; k++)
				good = plain_host(all.hosts[k]);
			for (size_t k = 0; good && k < all.n; k++)
				anvil_hostlist_push(&g[i].hosts, all.hosts[k]);
			if (!good && notes) {
				strbuf_adds(notes, "left out a node that is not a plain host name: \"");
				for (const char *p = host; *p && p - host < 200; p++)
					strbuf_addch(notes, isprint((unsigned char)*p) ? *p : '?');
				strbuf_adds(notes, "\"\n");
			}
			anvil_hostlist_release(&all);
		}
	}
	for (int i = 0; i < ng; i++) {
		char *h = anvil_hostlist_ranged(&g[i].hosts);
		if (h && *h) {
			strbuf_addf(out, "scontrol update NodeName=\"%s\" State=DRAIN Reason=\"%s\"\n", h, g[i].reason);
			lines++;
		}
		free(h);
		anvil_hostlist_release(&g[i].hosts);
	}
	free(g);
	return lines;
}

/* report.json, one metric object at a time; see rscan.h. */
#include "reports/rscan.h"
#include "reports/report.h"
#include "common/json.h"
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

static void line_col(const char *text, size_t off, unsigned *line, unsigned *col)
{
	*line = 1;
	*col = 1;
	for (size_t i = 0; i < off; i++) {
		if (text[i] == '\n') {
			(*line)++;
			*col = 1;
		} else {
			(*col)++;
		}
	}
}

static int scan(const char *path, const char *text, size_t len, const struct anvil_rscan *rs,
		char *err, size_t errlen)
{
	size_t where;
	const char *what;
	if (anvil_jscan_check(text, len, &where, &what)) {
		/* in the words of common/json.c, as for every other file anvil reads */
		struct anvil_json_doc doc;
		if (anvil_json_parse(text, len, path, &doc, err, errlen) == 0) {
			unsigned line, col;
			line_col(text, where, &line, &col);
			snprintf(err, errlen, "%s:%u:%u: expected %s", path, line, col, what);
			anvil_json_doc_release(&doc);
		}
		return -1;
	}
	struct anvil_jscan_it top, tests, t, ms;
	char schema[64] = "";
	const char *tv = NULL, *tend = NULL;
	anvil_jscan_object(&top, text, text + len);
	while (anvil_jscan_next(&top)) {
		if (anvil_jscan_key_is(&top, "schema"))
			anvil_jscan_string(top.val, top.vend, schema, sizeof(schema));
		if (anvil_jscan_key_is(&top, "tests")) {
			if (*top.val == '[')
				tv = top.val, tend = top.vend;
		} else if (rs->member) {
			rs->member(rs->arg, &top);
		}
	}
	if (strcmp(schema, ANVIL_REPORT_SCHEMA)) {
		snprintf(err, errlen, "%s: not an anvil report (expected \"schema\": \"%s\") nor a run directory",
			 path, ANVIL_REPORT_SCHEMA);
		return -1;
	}
	anvil_jscan_array(&tests, tv, tend);
	while (tv && anvil_jscan_next_elem(&tests)) {
		char id[512] = "", scope[32] = "";
		const char *mv = NULL, *mend = NULL;
		anvil_jscan_object(&t, tests.val, tests.vend);
		while (anvil_jscan_next(&t)) {
			if (anvil_jscan_key_is(&t, "id"))
				anvil_jscan_string(t.val, t.vend, id, sizeof(id));
			else if (anvil_jscan_key_is(&t, "scope"))
				anvil_jscan_string(t.val, t.vend, scope, sizeof(scope));
			else if (anvil_jscan_key_is(&t, "metrics") && *t.val == '[')
				mv = t.val, mend = t.vend;
		}
		anvil_jscan_array(&ms, mv, mend);
		while (mv && anvil_jscan_next_elem(&ms)) {
			cJSON *m = cJSON_ParseWithLength(ms.val, (size_t)(ms.vend - ms.val));
			rs->metric(rs->arg, id, scope, m);
			cJSON_Delete(m);
		}
	}
	return 0;
}

int anvil_rscan_file(const char *path, const struct anvil_rscan *rs, char *err, size_t errlen)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	int bad = fd < 0 || fstat(fd, &st) ? errno : 0;
	if (bad || S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "%s: %s", path, bad ? strerror(bad) :
			 "a directory without a journal.jsonl: not a run directory");
		if (fd >= 0)
			close(fd);
		return -1;
	}
	size_t len = (size_t)st.st_size;
	char *text = len ? mmap(NULL, len, PROT_READ, MAP_PRIVATE, fd, 0) : NULL;
	close(fd);
	if (len && text == MAP_FAILED) {
		snprintf(err, errlen, "%s: cannot read: %s", path, strerror(errno));
		return -1;
	}
	if (len)
		madvise(text, len, MADV_SEQUENTIAL);
	/* an empty file goes to the parser too: "PATH:1:1: empty document" */
	int rc = scan(path, text ? text : "", len, rs, err, errlen);
	if (len)
		munmap(text, len);
	return rc;
}

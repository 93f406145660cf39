/* anvil list, anvil --version. */
#include "anvil_build_config.h"
#include "bench/cli.h"
#include "bench/dispatch.h"
#include "bench/config.h"
#include "common/json.h"
#include "runners/registry.h"
#include <dirent.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void anvil_die_msg(const char *fmt, ...)
{
	va_list ap;
	fputs("anvil: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void anvil_die_bad_option(const char *cmd, int c, char **argv)
{
	if (c == ':')
		anvil_die_msg("%s: option %s needs a value (see anvil %s --help)", cmd, argv[optind - 1], cmd);
	else
		anvil_die_msg("%s: unknown option %s (see anvil %s --help)", cmd, argv[optind - 1], cmd);
}

void anvil_print_version(void)
{
	printf("anvil %s\n", ANVIL_VERSION);
	printf("built in: mpi, cjson, openblas, lapacke, hwloc%s%s\n",
	       ANVIL_FEATURES[0] ? ", " : "", ANVIL_FEATURES);
	const char *opt[] = { "cuda", "cublas", "cusolver", "nccl", "ibverbs", "scalapack" };
	printf("not built in:");
	int none = 1;
	for (size_t i = 0; i < sizeof(opt) / sizeof(*opt); i++) {
		if (!strstr(ANVIL_FEATURES, opt[i])) {
			printf(" %s", opt[i]);
			none = 0;
		}
	}
	printf("%s\n", none ? " (nothing: every optional part is built in)" : "");
}

static void list_runners(int verbose)
{
	printf("RUNNERS\n  %-18s %-9s %-11s %s\n", "name", "scope", "state", "summary / why not");
	for (int i = 0; anvil_runners[i]; i++) {
		const struct anvil_runner *r = anvil_runners[i];
		char why[512] = "";
		const char *state = "available";
		if (!r->run) {
			state = "not built";
			snprintf(why, sizeof(why), "%s", r->not_built ? r->not_built : "");
		} else if (anvil_dispatch_unmet_here(r, why, sizeof(why))) {
			state = "unavailable";
		} else if (r->available && !r->available(why, sizeof(why))) {
			state = "unavailable";
		}
		printf("  %-18s %-9s %-11s %s%s\n", r->name, anvil_scope_name(r->scope), state, r->summary,
		       r->needs & ANVIL_TEST_ONLY ? " [test only]" : "");
		if (why[0])
			printf("  %-18s %-9s %-11s why: %s\n", "", "", "", why);
		for (const struct anvil_param *p = r->params; verbose && p && p->key; p++)
			printf("  %-18s   --set %s.%s=%s  %s\n", "", r->name, p->key, p->def, p->help);
	}
}

/* Prints "kind id: model" for each datasheet; a broken file is listed with its error. */
static void list_datasheets(void)
{
	char dir[PATH_MAX];
	snprintf(dir, sizeof(dir), "%s/hardware", anvil_config_dir());
	printf("\nDATASHEETS (%s)\n", dir);
	struct dirent **list;
	int n = scandir(dir, &list, NULL, alphasort);
	for (int i = 0; i < n; i++) {
		const char *f = list[i]->d_name;
		size_t l = strlen(f);
		if (l > 5 && !strcmp(f + l - 5, ".json")) {
			char path[PATH_MAX + 256], err[512];
			snprintf(path, sizeof(path), "%s/%s", dir, f);
			struct anvil_json_doc doc;
			if (anvil_json_load(path, 1 << 20, &doc, err, sizeof(err))) {
				printf("  %-30s (unreadable: %s)\n", f, err);
			} else {
				const char *kind = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(doc.root, "kind"));
				const char *model = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(doc.root, "model"));
				if (kind && model)
					printf("  %-4s %-30.*s %s\n", kind, (int)(l - 5), f, model);
				anvil_json_doc_release(&doc);
			}
		}
		free(list[i]);
	}
	if (n > 0)
		free(list);
	else
		printf("  none found\n");
}

static void list_profiles(void)
{
	char names[1024];
	anvil_profile_names(names, sizeof(names));
	printf("\nPROFILES (%s/profiles)\n", anvil_config_dir());
	char *save = NULL;
	for (char *tok = strtok_r(names, ", ", &save); tok; tok = strtok_r(NULL, ", ", &save)) {
		struct anvil_json_doc doc;
		char err[512];
		if (anvil_profile_load(tok, &doc, err, sizeof(err))) {
			printf("  %-12s (invalid: %s)\n", tok, err);
			continue;
		}
		const char *d = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(doc.root, "description"));
		printf("  %-12s %d test(s)  %s\n", tok,
		       cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(doc.root, "tests")), d ? d : "");
		anvil_json_doc_release(&doc);
	}
}

int anvil_cmd_list(int argc, char **argv)
{
	int verbose = 0;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			printf("usage: anvil list [-v]\n\nLists every runner (built or not, available here or not and why),\n"
			       "the datasheets in configs/hardware and the profiles in configs/profiles.\n"
			       "  -v, --verbose   also each runner's parameters and defaults\n");
			return 0;
		}
		if (!strcmp(argv[i], "-v") || !strcmp(argv[i], "--verbose")) {
			verbose = 1;
			continue;
		}
		anvil_die_msg("list: unknown argument \"%s\" (see anvil list --help)", argv[i]);
		return ANVIL_EXIT_USAGE;
	}
	list_runners(verbose);
	list_datasheets();
	list_profiles();
	return 0;
}

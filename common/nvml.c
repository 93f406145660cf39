#include "common/nvml.h"
#include <dlfcn.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

/* nvml.h values (API version 11) for the calls below. */
enum {
	NVML_SUCCESS = 0,
	NVML_TEMPERATURE_GPU = 0,
	NVML_CLOCK_SM = 1, NVML_CLOCK_MEM = 2,
	NVML_MEMORY_ERROR_TYPE_CORRECTED = 0, NVML_MEMORY_ERROR_TYPE_UNCORRECTED = 1,
	NVML_VOLATILE_ECC = 0, NVML_AGGREGATE_ECC = 1,
	NVML_FEATURE_ENABLED = 1,
	/* nvml.h's current value (it was 18 before NVLink 5); links a GPU does
	 * not have answer "invalid argument" and are not counted */
	NVML_NVLINK_MAX_LINKS = 36,
};
typedef int nvml_ret;
typedef anvil_nvml_device dev_t_;

/* nvmlMemory_t (v1) */
struct nvml_memory { unsigned long long total, free, used; };

#define NVML_FUNCS(X) \
	X(nvml_ret, nvmlInit_v2, (void)) \
	X(nvml_ret, nvmlShutdown, (void)) \
	X(const char *, nvmlErrorString, (nvml_ret)) \
	X(nvml_ret, nvmlDeviceGetCount_v2, (unsigned *)) \
	X(nvml_ret, nvmlDeviceGetHandleByIndex_v2, (unsigned, dev_t_ *)) \
	X(nvml_ret, nvmlDeviceGetHandleByPciBusId_v2, (const char *, dev_t_ *)) \
	X(nvml_ret, nvmlDeviceGetName, (dev_t_, char *, unsigned)) \
	X(nvml_ret, nvmlDeviceGetUUID, (dev_t_, char *, unsigned)) \
	X(nvml_ret, nvmlDeviceGetSerial, (dev_t_, char *, unsigned)) \
	X(nvml_ret, nvmlDeviceGetVbiosVersion, (dev_t_, char *, unsigned)) \
	X(nvml_ret, nvmlSystemGetDriverVersion, (char *, unsigned)) \
	X(nvml_ret, nvmlSystemGetCudaDriverVersion_v2, (int *)) \
	X(nvml_ret, nvmlDeviceGetMigMode, (dev_t_, unsigned *, unsigned *)) \
	X(nvml_ret, nvmlDeviceGetTemperature, (dev_t_, int, unsigned *)) \
	X(nvml_ret, nvmlDeviceGetPowerUsage, (dev_t_, unsigned *)) \
	X(nvml_ret, nvmlDeviceGetEnforcedPowerLimit, (dev_t_, unsigned *)) \
	X(nvml_ret, nvmlDeviceGetPowerManagementDefaultLimit, (dev_t_, unsigned *)) \
	X(nvml_ret, nvmlDeviceGetClockInfo, (dev_t_, int, unsigned *)) \
	X(nvml_ret, nvmlDeviceGetCurrentClocksEventReasons, (dev_t_, unsigned long long *)) \
	X(nvml_ret, nvmlDeviceGetCurrentClocksThrottleReasons, (dev_t_, unsigned long long *)) \
	X(nvml_ret, nvmlDeviceGetEccMode, (dev_t_, int *, int *)) \
	X(nvml_ret, nvmlDeviceGetTotalEccErrors, (dev_t_, int, int, unsigned long long *)) \
	X(nvml_ret, nvmlDeviceGetCurrPcieLinkGeneration, (dev_t_, unsigned *)) \
	X(nvml_ret, nvmlDeviceGetCurrPcieLinkWidth, (dev_t_, unsigned *)) \
	X(nvml_ret, nvmlDeviceGetMaxPcieLinkGeneration, (dev_t_, unsigned *)) \
	X(nvml_ret, nvmlDeviceGetMaxPcieLinkWidth, (dev_t_, unsigned *)) \
	X(nvml_ret, nvmlDeviceGetGpuMaxPcieLinkGeneration, (dev_t_, unsigned *)) \
	X(nvml_ret, nvmlDeviceGetMemoryInfo, (dev_t_, struct nvml_memory *)) \
	X(nvml_ret, nvmlDeviceGetNvLinkState, (dev_t_, unsigned, int *)) \
	X(nvml_ret, nvmlDeviceGetRemappedRows, (dev_t_, unsigned *, unsigned *, unsigned *, unsigned *))

#define X_FIELD(ret, name, args) ret (*name) args;
static struct {
	void *lib;
	int tried, ok, opens;
	char why[256];
	NVML_FUNCS(X_FIELD)
} nv;

/* Optional symbols may be absent in an older driver: NULL, and the figure is NAN. */
#define X_LOAD(ret, name, args) { void *p_ = dlsym(nv.lib, #name); memcpy(&nv.name, &p_, sizeof(p_)); }

static const char *err_text(nvml_ret r)
{
	const char *s = nv.nvmlErrorString ? nv.nvmlErrorString(r) : NULL;
	return s ? s : "unknown NVML error";
}

int anvil_nvml_open(char *why, size_t len)
{
	if (!nv.tried) {
		nv.tried = 1;
		nv.lib = dlopen("libnvidia-ml.so.1", RTLD_NOW | RTLD_LOCAL);
		if (!nv.lib) {
			snprintf(nv.why, sizeof(nv.why), "libnvidia-ml.so.1: %s", dlerror());
		} else {
			NVML_FUNCS(X_LOAD)
			nvml_ret r = nv.nvmlInit_v2 ? nv.nvmlInit_v2() : -1;
			if (r == NVML_SUCCESS)
				nv.ok = 1;
			else if (!nv.nvmlInit_v2)
				snprintf(nv.why, sizeof(nv.why), "libnvidia-ml.so.1 has no nvmlInit_v2");
			else
				snprintf(nv.why, sizeof(nv.why), "nvmlInit_v2: %s", err_text(r));
		}
	}
	if (!nv.ok) {
		snprintf(why, len, "%s", nv.why);
		return -1;
	}
	nv.opens++;
	return 0;
}

void anvil_nvml_close(void)
{
	/* NVML counts its own inits; shutting down on the last close lets a
	 * long-lived process release the driver handle. */
	if (nv.ok && nv.opens > 0 && --nv.opens == 0) {
		if (nv.nvmlShutdown)
			nv.nvmlShutdown();
		dlclose(nv.lib);
		memset(&nv, 0, sizeof(nv));  /* no pointer into the unloaded library survives */
	}
}

int anvil_nvml_count(unsigned *n, char *why, size_t len)
{
	nvml_ret r = nv.nvmlDeviceGetCount_v2 ? nv.nvmlDeviceGetCount_v2(n) : -1;
	if (r != NVML_SUCCESS) {
		snprintf(why, len, "nvmlDeviceGetCount_v2: %s", err_text(r));
		return -1;
	}
	return 0;
}

int anvil_nvml_by_index(unsigned index, anvil_nvml_device *dev, char *why, size_t len)
{
	nvml_ret r = nv.nvmlDeviceGetHandleByIndex_v2 ? nv.nvmlDeviceGetHandleByIndex_v2(index, dev) : -1;
	if (r != NVML_SUCCESS) {
		snprintf(why, len, "nvmlDeviceGetHandleByIndex_v2(%u): %s", index, err_text(r));
		return -1;
	}
	return 0;
}

int anvil_nvml_by_pci(const char *bus_id, anvil_nvml_device *dev, char *why, size_t len)
{
	nvml_ret r = nv.nvmlDeviceGetHandleByPciBusId_v2 ? nv.nvmlDeviceGetHandleByPciBusId_v2(bus_id, dev) : -1;
	if (r != NVML_SUCCESS) {
		snprintf(why, len, "nvmlDeviceGetHandleByPciBusId_v2(%s): %s", bus_id, err_text(r));
		return -1;
	}
	return 0;
}

/* One unsigned reading, NAN when the call is missing or fails. */
static double get_u(nvml_ret (*fn)(dev_t_, unsigned *), dev_t_ d, double scale)
{
	unsigned v;
	return fn && fn(d, &v) == NVML_SUCCESS ? v * scale : NAN;
}

static double get_clock(dev_t_ d, int which)
{
	unsigned v;
	return nv.nvmlDeviceGetClockInfo && nv.nvmlDeviceGetClockInfo(d, which, &v) == NVML_SUCCESS ? v : NAN;
}

void anvil_nvml_sample(anvil_nvml_device dev, struct anvil_nvml_sample *s)
{
	unsigned t;
	s->temp_c = nv.nvmlDeviceGetTemperature &&
		    nv.nvmlDeviceGetTemperature(dev, NVML_TEMPERATURE_GPU, &t) == NVML_SUCCESS ? t : NAN;
	s->power_w = get_u(nv.nvmlDeviceGetPowerUsage, dev, 1e-3);            /* mW */
	s->power_limit_w = get_u(nv.nvmlDeviceGetEnforcedPowerLimit, dev, 1e-3);
	s->sm_mhz = get_clock(dev, NVML_CLOCK_SM);
	s->mem_mhz = get_clock(dev, NVML_CLOCK_MEM);
	s->pcie_gen = get_u(nv.nvmlDeviceGetCurrPcieLinkGeneration, dev, 1);
	s->pcie_width = get_u(nv.nvmlDeviceGetCurrPcieLinkWidth, dev, 1);
	/* the "event reasons" call replaced the "throttle reasons" one (driver 535) */
	s->reasons = 0;
	s->reasons_ok = 0;
	if (nv.nvmlDeviceGetCurrentClocksEventReasons)
		s->reasons_ok = nv.nvmlDeviceGetCurrentClocksEventReasons(dev, &s->reasons) == NVML_SUCCESS;
	if (!s->reasons_ok && nv.nvmlDeviceGetCurrentClocksThrottleReasons)
		s->reasons_ok = nv.nvmlDeviceGetCurrentClocksThrottleReasons(dev, &s->reasons) == NVML_SUCCESS;
}

static long long ecc_count(dev_t_ d, int type, int counter)
{
	unsigned long long v;
	if (!nv.nvmlDeviceGetTotalEccErrors || nv.nvmlDeviceGetTotalEccErrors(d, type, counter, &v) != NVML_SUCCESS)
		return -1;
	return (long long)v;
}

void anvil_nvml_ecc(anvil_nvml_device dev, struct anvil_nvml_ecc *e)
{
	int cur, pend;
	e->enabled = -1;
	if (nv.nvmlDeviceGetEccMode && nv.nvmlDeviceGetEccMode(dev, &cur, &pend) == NVML_SUCCESS)
		e->enabled = cur == NVML_FEATURE_ENABLED;
	e->volatile_corrected = ecc_count(dev, NVML_MEMORY_ERROR_TYPE_CORRECTED, NVML_VOLATILE_ECC);
	e->volatile_uncorrected = ecc_count(dev, NVML_MEMORY_ERROR_TYPE_UNCORRECTED, NVML_VOLATILE_ECC);
	e->aggregate_corrected = ecc_count(dev, NVML_MEMORY_ERROR_TYPE_CORRECTED, NVML_AGGREGATE_ECC);
	e->aggregate_uncorrected = ecc_count(dev, NVML_MEMORY_ERROR_TYPE_UNCORRECTED, NVML_AGGREGATE_ECC);
}

int anvil_nvml_nvlink_active(anvil_nvml_device dev)
{
	if (!nv.nvmlDeviceGetNvLinkState)
		return -1;
	int active = 0;
	for (unsigned l = 0; l < NVML_NVLINK_MAX_LINKS; l++) {
		int st;
		/* links a GPU does not have answer "not supported": not active, not an error */
		if (nv.nvmlDeviceGetNvLinkState(dev, l, &st) == NVML_SUCCESS)
			active += st == NVML_FEATURE_ENABLED;
	}
	return active;
}

static void add_text(cJSON *o, const char *key, nvml_ret (*fn)(dev_t_, char *, unsigned), dev_t_ d)
{
	char buf[128];
	if (fn && fn(d, buf, sizeof(buf)) == NVML_SUCCESS) {
		buf[sizeof(buf) - 1] = '\0';
		cJSON_AddStringToObject(o, key, buf);
	}
}

static void add_num(cJSON *o, const char *key, double v)
{
	if (isfinite(v))
		cJSON_AddNumberToObject(o, key, v);
}

cJSON *anvil_nvml_facts(anvil_nvml_device dev, int with_ids)
{
	cJSON *o = cJSON_CreateObject();
	char buf[128];
	add_text(o, "name", nv.nvmlDeviceGetName, dev);
	if (with_ids) {
		add_text(o, "uuid", nv.nvmlDeviceGetUUID, dev);
		add_text(o, "serial", nv.nvmlDeviceGetSerial, dev);
	}
	add_text(o, "vbios", nv.nvmlDeviceGetVbiosVersion, dev);
	if (nv.nvmlSystemGetDriverVersion && nv.nvmlSystemGetDriverVersion(buf, sizeof(buf)) == NVML_SUCCESS) {
		buf[sizeof(buf) - 1] = '\0';
		cJSON_AddStringToObject(o, "driver_version", buf);
	}
	/* the CUDA version the driver supports, 12040 -> "12.4" (nvidia-smi's "CUDA Version") */
	int cuda;
	if (nv.nvmlSystemGetCudaDriverVersion_v2 && nv.nvmlSystemGetCudaDriverVersion_v2(&cuda) == NVML_SUCCESS) {
		snprintf(buf, sizeof(buf), "%d.%d", cuda / 1000, cuda % 1000 / 10);
		cJSON_AddStringToObject(o, "cuda_driver_version", buf);
	}
	/* MIG: NVML_DEVICE_MIG_ENABLE 1; GPUs without MIG answer "not supported" */
	unsigned mig, mig_pending;
	if (nv.nvmlDeviceGetMigMode && nv.nvmlDeviceGetMigMode(dev, &mig, &mig_pending) == NVML_SUCCESS) {
		cJSON_AddStringToObject(o, "mig_mode", mig ? "enabled" : "disabled");
		if (mig_pending != mig)
			cJSON_AddStringToObject(o, "mig_mode_pending", mig_pending ? "enabled" : "disabled");
	}
	struct nvml_memory m;
	if (nv.nvmlDeviceGetMemoryInfo && nv.nvmlDeviceGetMemoryInfo(dev, &m) == NVML_SUCCESS)
		cJSON_AddNumberToObject(o, "memory_bytes", (double)m.total);
	add_num(o, "pcie_max_gen", get_u(nv.nvmlDeviceGetMaxPcieLinkGeneration, dev, 1));
	add_num(o, "pcie_max_width", get_u(nv.nvmlDeviceGetMaxPcieLinkWidth, dev, 1));
	add_num(o, "pcie_gpu_max_gen", get_u(nv.nvmlDeviceGetGpuMaxPcieLinkGeneration, dev, 1));
	add_num(o, "power_default_limit_w", get_u(nv.nvmlDeviceGetPowerManagementDefaultLimit, dev, 1e-3));
	struct anvil_nvml_ecc e;
	anvil_nvml_ecc(dev, &e);
	if (e.enabled >= 0)
		cJSON_AddBoolToObject(o, "ecc_enabled", e.enabled);
	int links = anvil_nvml_nvlink_active(dev);
	if (links >= 0)
		cJSON_AddNumberToObject(o, "nvlink_active_links", links);
	unsigned corr, unc, pending, failed;
	if (nv.nvmlDeviceGetRemappedRows &&
	    nv.nvmlDeviceGetRemappedRows(dev, &corr, &unc, &pending, &failed) == NVML_SUCCESS) {
		cJSON *r = cJSON_AddObjectToObject(o, "remapped_rows");
		cJSON_AddNumberToObject(r, "correctable", corr);
		cJSON_AddNumberToObject(r, "uncorrectable", unc);
		cJSON_AddBoolToObject(r, "pending", pending != 0);
		cJSON_AddBoolToObject(r, "failure", failed != 0);
	}
	return o;
}

void anvil_nvml_reasons_text(unsigned long long bits, char *buf, size_t len)
{
	static const struct { unsigned long long bit; const char *name; } names[] = {
		{ ANVIL_NVML_REASON_GPU_IDLE, "GPU idle" },
		{ ANVIL_NVML_REASON_APP_CLOCKS, "application clocks setting" },
		{ ANVIL_NVML_REASON_SW_POWER_CAP, "SW power cap" },
		{ ANVIL_NVML_REASON_HW_SLOWDOWN, "HW slowdown" },
		{ ANVIL_NVML_REASON_SYNC_BOOST, "sync boost" },
		{ ANVIL_NVML_REASON_SW_THERMAL, "SW thermal slowdown" },
		{ ANVIL_NVML_REASON_HW_THERMAL, "HW thermal slowdown" },
		{ ANVIL_NVML_REASON_HW_POWER_BRAKE, "HW power brake slowdown" },
	};
	size_t n = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < sizeof(names) / sizeof(*names) && n < len; i++)
		if (bits & names[i].bit)
			n += (size_t)snprintf(buf + n, len - n, "%s%s", n ? ", " : "", names[i].name);
	if (!n)
		snprintf(buf, len, "none");
}

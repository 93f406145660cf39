/* Slurm: what a job step learns from its environment, and the sbatch
 * script `anvil slurm` writes. */
#ifndef ANVIL_SLURM_H
#define ANVIL_SLURM_H
#include <cjson/cJSON.h>

/*
 * The job as Slurm describes it to srun's tasks, or NULL outside a Slurm
 * job (no SLURM_JOB_ID): "job_id", "job_name", "partition", "account",
 * "cluster", "step_id", "nodes" (count), "ntasks", "tasks_per_node" as
 * given, and "nodelist" compressed the way Slurm writes it (from
 * SLURM_JOB_NODELIST, else SLURM_NODELIST; a list that does not parse is
 * kept as given, with "nodelist_error" saying why). Each only when set.
 * The caller owns the result.
 */
cJSON *anvil_slurm_env(void);

#endif

/**
 * The shell script that runs an ECS task once and waits for it: Pulumi has no resource for that,
 * so a `command` resource runs this script where `pulumi up` runs, with the aws CLI and the same
 * AWS credentials as the aws provider. It fails (and fails the update) unless the task's
 * container exits 0 within its deadline. Built from resolved values only, with no secret in it,
 * so tests read it. Nothing in it is particular to one task.
 */
import { shellQuote } from "../support/shell";

/** How long one `aws ecs wait tasks-stopped` waits before giving up (100 polls, 6 s apart). */
export const ECS_WAITER_SECONDS = 600;

export interface RunTaskOnceInputs {
    /** Region and account of the stack (aims:aws); the script refuses credentials of another account. */
    readonly region: string;
    readonly accountId: string;
    readonly clusterArn: string;
    readonly taskDefinitionArn: string;
    readonly subnetIds: readonly string[];
    readonly securityGroupIds: readonly string[];
    /** The container whose exit code decides. */
    readonly container: string;
    /** ECS's `startedBy` of the task, so `aws ecs list-tasks --started-by` finds it. */
    readonly startedBy: string;
    /** What runs, for messages: `offboarding backup of tenant school1`. */
    readonly what: string;
    /** How long the task may run; then the script stops it and fails. */
    readonly deadlineSeconds: number;
    /** Where its logs are, for the failure message. */
    readonly logGroup: string;
    readonly logStreamPrefix: string;
}

/** The `aws ecs run-task --cli-input-json` document: one Fargate task in the stack's private subnets. */
export function runTaskInput(inputs: RunTaskOnceInputs): Record<string, unknown> {
    return {
        cluster: inputs.clusterArn,
        taskDefinition: inputs.taskDefinitionArn,
        count: 1,
        launchType: "FARGATE",
        platformVersion: "LATEST",
        networkConfiguration: {
            awsvpcConfiguration: {
                subnets: [...inputs.subnetIds],
                securityGroups: [...inputs.securityGroupIds],
                assignPublicIp: "DISABLED",
            },
        },
        startedBy: inputs.startedBy,
        propagateTags: "TASK_DEFINITION",
        enableECSManagedTags: true,
    };
}

export function runTaskOnceScript(inputs: RunTaskOnceInputs): string {
    const q = shellQuote;
    const ecs = `aws ecs --region ${q(inputs.region)}`;
    const onCluster = `--cluster ${q(inputs.clusterArn)} --tasks "$task"`;
    const fail = (message: string) => `{ echo ${message} >&2; exit 1; }`;
    const waits = Math.ceil(inputs.deadlineSeconds / ECS_WAITER_SECONDS);
    return [
        "set -eu",
        "export AWS_PAGER=''",
        // The same guard as the provider's allowedAccountIds: never start a task in another account.
        `account=$(aws sts get-caller-identity --region ${q(inputs.region)} --query Account --output text)`,
        `[ "$account" = ${q(inputs.accountId)} ] || ${fail(`"${inputs.what}: the AWS credentials are for account $account, not the stack's account ${inputs.accountId}"`)}`,
        `task=$(${ecs} run-task --cli-input-json ${q(JSON.stringify(runTaskInput(inputs)))} --query 'tasks[0].taskArn || failures[0].reason' --output text)`,
        `case "$task" in arn:*) ;; *) ${fail(`"${inputs.what}: ECS did not start the task: $task"`)} ;; esac`,
        `echo "${inputs.what}: started $task" >&2`,
        // One waiter gives up after ten minutes; the task may run longer.
        "waits=0",
        `until ${ecs} wait tasks-stopped ${onCluster}; do`,
        "  waits=$((waits + 1))",
        `  if [ "$waits" -ge ${waits} ]; then`,
        `    ${ecs} stop-task ${onCluster.replace("--tasks", "--task")} --reason ${q(`${inputs.what} ran too long`)} >/dev/null`,
        `    ${fail(`"${inputs.what}: still running after ${inputs.deadlineSeconds / 60} minutes; stopped $task"`)}`,
        "  fi",
        "done",
        `exit_code=$(${ecs} describe-tasks ${onCluster} --query "tasks[0].containers[?name=='${inputs.container}'].exitCode | [0]" --output text)`,
        `if [ "$exit_code" != 0 ]; then`,
        `  reason=$(${ecs} describe-tasks ${onCluster} --query 'tasks[0].stoppedReason' --output text)`,
        `  ${fail(`"${inputs.what}: failed (exit code $exit_code: $reason); logs: log group ${inputs.logGroup}, stream ${inputs.logStreamPrefix}/${inputs.container}/\${task##*/}"`)}`,
        "fi",
        `echo "$task"`,
    ].join("\n");
}

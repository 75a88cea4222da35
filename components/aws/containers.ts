/**
 * The containers of a tenant's task, as ECS container definitions built from resolved values
 * only, so that tests call it directly. It mirrors the tenant chart (charts/tenant): `migrate`
 * then `bootstrap` run to completion before Django starts, Next.js serves everything else, the
 * same environment, the same non-root user, a read-only root filesystem. Secrets are references
 * (`secrets[].valueFrom`, Secrets Manager ARNs): no secret value is ever part of the definitions.
 */
import {
    APP_USER,
    BACKEND_PORT,
    BOOTSTRAP_COMMAND,
    CONTAINERS,
    FRONTEND_PORT,
    MEDIA_PATH,
    MIGRATE_COMMAND,
    NEXT_CACHE_PATH,
    SCRATCH_PATH,
} from "../vocabulary/app-contract";
import { BOOTSTRAP_READY_COMMAND, bootstrapReadyEnvironment } from "../core-contract";

/** Task volumes: the tenant's EFS access point (at MEDIA_PATH), and scratch space on the task's ephemeral storage. */
export const VOLUMES = { media: "media", tmp: "tmp", nextCache: "next-cache" } as const;
/** NEXT_PUBLIC_API_BASE_URL on AWS: Django's API on the tenant's own host. */
export const API_BASE_PATH = "/api";

export interface ContainerValues {
    /** The tenant's name: TENANT_SUBDOMAIN. */
    readonly tenant: string;
    /** Public host: ALLOWED_HOSTS, CSRF_TRUSTED_ORIGINS, PUBLIC_URL. */
    readonly host: string;
    /** `repository:tag` of each image. */
    readonly frontendImage: string;
    readonly backendImage: string;
    readonly database: { readonly host: string; readonly port: number; readonly name: string };
    /** ARN of the secret holding the JSON database credentials (username, password, ...) and SECRET_KEY. */
    readonly databaseCredentialsArn: string;
    readonly logGroup: string;
    readonly region: string;
    /** The core's plain variables of the backend (core-contract.ts, coreEnvironment). */
    readonly coreEnvironment?: Readonly<Record<string, string>>;
    /** With a core: its secret's ARN and, per secret variable, the JSON key it is read from; it adds the bootstrap-ready container. */
    readonly coreSecrets?: {
        readonly arn: string;
        readonly variables: Readonly<Record<string, string>>;
    };
}

export interface KeyValue {
    readonly name: string;
    readonly value: string;
}
export interface SecretReference {
    readonly name: string;
    readonly valueFrom: string;
}

/** The fields of an ECS ContainerDefinition this program sets. */
export interface ContainerDefinition {
    readonly name: string;
    readonly image: string;
    readonly essential: boolean;
    readonly command?: readonly string[];
    readonly user: string;
    readonly readonlyRootFilesystem: boolean;
    readonly privileged: false;
    readonly linuxParameters: {
        readonly capabilities: { readonly drop: readonly string[] };
        readonly initProcessEnabled: boolean;
    };
    readonly portMappings: ReadonlyArray<{
        readonly name: string;
        readonly containerPort: number;
        readonly protocol: "tcp";
        readonly appProtocol: "http";
    }>;
    readonly environment: readonly KeyValue[];
    readonly secrets: readonly SecretReference[];
    readonly mountPoints: ReadonlyArray<{
        readonly sourceVolume: string;
        readonly containerPath: string;
        readonly readOnly: boolean;
    }>;
    readonly dependsOn?: ReadonlyArray<{
        readonly containerName: string;
        readonly condition: "SUCCESS" | "START" | "COMPLETE" | "HEALTHY";
    }>;
    readonly logConfiguration: {
        readonly logDriver: "awslogs";
        readonly options: Readonly<Record<string, string>>;
    };
}

/**
 * `valueFrom` of one key of a JSON secret: `<arn>:<json-key>:<version-stage>:<version-id>`, the
 * empty stage and version meaning the current one.
 */
export const secretKeyReference = (secretArn: string, key: string): string =>
    `${secretArn}:${key}::`;

export function containerDefinitions(values: ContainerValues): ContainerDefinition[] {
    const env = (variables: Record<string, string | number>): KeyValue[] =>
        Object.entries(variables).map(([name, value]) => ({ name, value: String(value) }));
    const backendEnvironment = env({
        TENANT_SUBDOMAIN: values.tenant,
        // The frontend renders server-side through localhost: both containers share the task's network.
        ALLOWED_HOSTS: `${values.host},localhost`,
        CSRF_TRUSTED_ORIGINS: `https://${values.host}`,
        DB_HOST: values.database.host,
        DB_PORT: values.database.port,
        TENANT_DB_NAME: values.database.name,
        HOME: SCRATCH_PATH,
        PYTHONDONTWRITEBYTECODE: "1",
        ...(values.coreEnvironment ?? {}),
    });
    const core = values.coreSecrets;
    const backendSecrets: SecretReference[] = [
        {
            name: "DB_USER",
            valueFrom: secretKeyReference(values.databaseCredentialsArn, "username"),
        },
        {
            name: "DB_PASSWORD",
            valueFrom: secretKeyReference(values.databaseCredentialsArn, "password"),
        },
        {
            name: "SECRET_KEY",
            valueFrom: secretKeyReference(values.databaseCredentialsArn, "secret_key"),
        },
        ...Object.entries(core?.variables ?? {}).map(([name, key]) => ({
            name,
            valueFrom: secretKeyReference(core!.arn, key),
        })),
    ];
    const tmp = { sourceVolume: VOLUMES.tmp, containerPath: SCRATCH_PATH, readOnly: false };
    const base = (name: string, image: string, essential: boolean) => ({
        name,
        image,
        essential,
        user: `${APP_USER.uid}:${APP_USER.gid}`,
        readonlyRootFilesystem: true,
        privileged: false as const,
        linuxParameters: { capabilities: { drop: ["ALL"] }, initProcessEnabled: true },
        logConfiguration: {
            logDriver: "awslogs" as const,
            options: {
                "awslogs-group": values.logGroup,
                "awslogs-region": values.region,
                "awslogs-stream-prefix": name,
            },
        },
    });
    const backendJob = (
        name: string,
        command: readonly string[],
        after?: string,
    ): ContainerDefinition => ({
        ...base(name, values.backendImage, false),
        command,
        portMappings: [],
        environment: backendEnvironment,
        secrets: backendSecrets,
        mountPoints: [tmp],
        ...(after && { dependsOn: [{ containerName: after, condition: "SUCCESS" as const }] }),
    });
    // With a core, Django starts only once the core has accepted the tenant as bootstrapped.
    const lastJob = core ? CONTAINERS.bootstrapReady : CONTAINERS.bootstrap;
    const bootstrapReady: ContainerDefinition[] = core
        ? [
              {
                  ...backendJob(
                      CONTAINERS.bootstrapReady,
                      BOOTSTRAP_READY_COMMAND,
                      CONTAINERS.bootstrap,
                  ),
                  environment: [...backendEnvironment, ...env(bootstrapReadyEnvironment())],
              },
          ]
        : [];
    return [
        backendJob(CONTAINERS.migrate, MIGRATE_COMMAND),
        backendJob(CONTAINERS.bootstrap, BOOTSTRAP_COMMAND, CONTAINERS.migrate),
        ...bootstrapReady,
        {
            ...base(CONTAINERS.backend, values.backendImage, true),
            portMappings: [
                {
                    name: "http-backend",
                    containerPort: BACKEND_PORT,
                    protocol: "tcp",
                    appProtocol: "http",
                },
            ],
            environment: backendEnvironment,
            secrets: backendSecrets,
            mountPoints: [
                tmp,
                { sourceVolume: VOLUMES.media, containerPath: MEDIA_PATH, readOnly: false },
            ],
            dependsOn: [{ containerName: lastJob, condition: "SUCCESS" }],
        },
        {
            ...base(CONTAINERS.frontend, values.frontendImage, true),
            portMappings: [
                {
                    name: "http-frontend",
                    containerPort: FRONTEND_PORT,
                    protocol: "tcp",
                    appProtocol: "http",
                },
            ],
            environment: env({
                TENANT_SUBDOMAIN: values.tenant,
                PUBLIC_URL: `https://${values.host}`,
                BACKEND_INTERNAL_URL: `http://localhost:${BACKEND_PORT}`,
                // The browser reaches Django on the tenant's own host: the load balancer routes /api/* to it.
                NEXT_PUBLIC_API_BASE_URL: API_BASE_PATH,
                PORT: FRONTEND_PORT,
                HOSTNAME: "0.0.0.0",
                NEXT_TELEMETRY_DISABLED: "1",
            }),
            secrets: [],
            mountPoints: [
                tmp,
                {
                    sourceVolume: VOLUMES.nextCache,
                    containerPath: NEXT_CACHE_PATH,
                    readOnly: false,
                },
            ],
        },
    ];
}

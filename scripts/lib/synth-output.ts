/**
 * Turns recorded resources into files a reviewer reads: one folder per tenant with its
 * Kubernetes objects as YAML manifests and every other resource as JSON {type, name, inputs,
 * options}; stack-level resources (the providers) go to `_stack/`. Secrets become "[secret]".
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as yaml from "js-yaml";
import { renderRelease } from "./helm-template";
import { TENANT_TYPE } from "../../components/vocabulary/type-tokens";
import { RecordedResource, redact } from "./mock-stack";

export const STACK_FOLDER = "_stack";
const MARKER = ".aims-synth";

/** Custom resources grouped by the Tenant they belong to; resources of no tenant under STACK_FOLDER. */
export function groupByTenant(
    resources: readonly RecordedResource[],
): Map<string, RecordedResource[]> {
    const byUrn = new Map(resources.map((resource) => [resource.urn, resource]));
    const tenantOf = (resource: RecordedResource): string => {
        for (
            let current: RecordedResource | undefined = resource;
            current;
            current = current.parent ? byUrn.get(current.parent) : undefined
        ) {
            if (current.type === TENANT_TYPE) return current.name;
        }
        return STACK_FOLDER;
    };
    const groups = new Map<string, RecordedResource[]>();
    for (const resource of resources) {
        if (!resource.custom) continue;
        const tenant = tenantOf(resource);
        groups.set(tenant, [...(groups.get(tenant) ?? []), resource]);
    }
    return groups;
}

const HELM_RELEASE = "kubernetes:helm.sh/v3:Release";

export const isKubernetesObject = (resource: RecordedResource): boolean =>
    resource.type.startsWith("kubernetes:") && resource.type !== HELM_RELEASE;

/** A Kubernetes resource's inputs as a manifest, fields in the order people read them. */
export function toManifest(resource: RecordedResource): Record<string, unknown> {
    const { apiVersion, kind, metadata, ...rest } = redact(resource.inputs);
    return { apiVersion, kind, metadata, ...rest };
}

export function toJsonRecord(resource: RecordedResource): Record<string, unknown> {
    return {
        type: resource.type,
        name: resource.name,
        inputs: redact(resource.inputs),
        options: {
            protect: resource.protect,
            retainOnDelete: resource.retainOnDelete,
            ...(resource.importId !== undefined && {
                import: resource.importId,
                ignoreChanges: resource.ignoreChanges,
            }),
        },
    };
}

/**
 * A manifest holds only the object, so an imported one says so in a comment above it: the id
 * `pulumi up` imports, and the fields it leaves as they are.
 */
export function importComment(resource: RecordedResource): string {
    if (resource.importId === undefined) return "";
    const kept =
        resource.ignoreChanges.length > 0
            ? `\n# pulumi ignoreChanges: ${resource.ignoreChanges.join(", ")}`
            : "";
    return `# pulumi import: ${resource.importId}${kept}\n`;
}

/** Lines a reader of a manifest file recognises as written by importComment. */
export const IMPORT_COMMENT_PATTERN = /^# pulumi import: (\S+)$/m;

/** `aws:ecs/service:Service` -> `ecs-Service` */
function shortType(type: string): string {
    const [pkg, module, kind] = type.split(":");
    const area = module.split("/")[0];
    return `${area === "index" ? pkg : area}-${kind}`;
}

export interface WrittenFile {
    readonly tenant: string;
    readonly file: string;
}

/** Writes one file per resource under `outDir/<tenant>/`; returns what it wrote. */
export function writeResources(
    outDir: string,
    groups: Map<string, RecordedResource[]>,
): WrittenFile[] {
    const written: WrittenFile[] = [];
    for (const [tenant, resources] of groups) {
        const dir = path.join(outDir, tenant);
        fs.mkdirSync(dir, { recursive: true });
        for (const resource of resources) {
            const file = isKubernetesObject(resource)
                ? `${String(resource.inputs.kind)}-${resource.name}.yaml`
                : `${shortType(resource.type)}-${resource.name}.json`;
            const content = isKubernetesObject(resource)
                ? `${importComment(resource)}${yaml.dump(toManifest(resource), { noRefs: true, lineWidth: 120 })}`
                : `${JSON.stringify(toJsonRecord(resource), null, 2)}\n`;
            fs.writeFileSync(path.join(dir, file), content);
            written.push({ tenant, file: path.join(tenant, file) });
        }
    }
    return written;
}

/** Renders every Helm release with the real `helm template` and its recorded values. */
export function writeRenderedCharts(
    outDir: string,
    groups: Map<string, RecordedResource[]>,
    helmBinary: string,
): WrittenFile[] {
    const written: WrittenFile[] = [];
    for (const [tenant, resources] of groups) {
        for (const release of resources.filter((resource) => resource.type === HELM_RELEASE)) {
            const { name, namespace, chart, values } = redact(release.inputs);
            const file = path.join(tenant, `rendered-chart-${name}.yaml`);
            fs.writeFileSync(
                path.join(outDir, file),
                renderRelease({ name, namespace, chartPath: chart, values }, helmBinary),
            );
            written.push({ tenant, file });
        }
    }
    return written;
}

/**
 * Empties `outDir` for a new synth, so a removed tenant's folder does not linger; refuses to
 * empty a folder that synth did not create.
 */
export function prepareOutputFolder(outDir: string): void {
    if (fs.existsSync(outDir) && fs.readdirSync(outDir).length > 0) {
        if (!fs.existsSync(path.join(outDir, MARKER))) {
            throw new Error(
                `${outDir} is not empty and was not written by synth; choose another --out folder`,
            );
        }
        fs.rmSync(outDir, { recursive: true, force: true });
    }
    fs.mkdirSync(outDir, { recursive: true });
    fs.writeFileSync(
        path.join(outDir, MARKER),
        "written by npm run synth; emptied on the next run\n",
    );
}

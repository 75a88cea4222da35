/** Writing a new tenant file: the document the tenant CLI's `add` produces, as readable YAML. */
import * as yaml from "js-yaml";
import { PlanName } from "../../components/vocabulary/plans";
import { Environment, Platform, TenantStatus } from "../../components/vocabulary/words";

export interface NewTenant {
    name: string;
    displayName: string;
    environments: Environment[];
    stackShard?: Partial<Record<Environment, number>>;
    plan: PlanName;
    status: TenantStatus;
    platform?: Platform;
    domain?: string;
    schoolId?: string;
}

/** "riverside-high" -> "Riverside High" */
export function displayNameOf(name: string): string {
    return name
        .split("-")
        .map((word) => word.charAt(0).toUpperCase() + word.slice(1))
        .join(" ");
}

export function renderTenantFile(tenant: NewTenant): string {
    const document = Object.fromEntries(
        Object.entries(tenant).filter(([, value]) => value !== undefined),
    );
    return `# yaml-language-server: $schema=../schema/tenant.schema.json\n${yaml.dump(document, { flowLevel: 1, lineWidth: 120 })}`;
}

/** The tenant file with its top-level `status:` line set to `status`, or added; comments and order kept. */
export function withStatus(text: string, status: string): string {
    const line = /^status:.*$/m;
    return line.test(text)
        ? text.replace(line, `status: ${status}`)
        : `${text.replace(/\n*$/, "\n")}status: ${status}\n`;
}

/**
 * IAM documents of tenants name what they allow. An Allow statement with a wildcard (`*` or `?`)
 * in an action or a resource, or one that allows by exclusion (NotAction, NotResource), grants
 * more than the tenant's own resources, now or once a matching resource appears.
 */

import { isComputed } from "./unknowns";

const WILDCARD = /[*?]/;
/**
 * `arn:<partition>:s3:::<bucket>/<prefix>/*`: the objects under one key prefix, which S3 can only
 * name with a trailing wildcard. A whole bucket (`<bucket>/*`) or any other wildcard still counts.
 */
const S3_KEY_PREFIX =
    /^arn:[a-z-]+:s3:::[a-z0-9][a-z0-9.-]+\/[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*\/\*$/;

type Statement = Record<string, unknown>;

/** One message per offending part of each Allow statement; a document that cannot be read is one message. */
export function iamWildcardViolations(policy: unknown): string[] {
    const statements = statementsOf(policy);
    if (typeof statements === "string") return [statements];
    return statements.flatMap((statement, index) => {
        // Anything but an explicit Deny is treated as an Allow: IAM rejects other values, the pack need not guess.
        if (statement?.Effect === "Deny") return [];
        // A statement built from values known only after apply is judged on `pulumi up`.
        const parts = [
            statement,
            statement?.Effect,
            ...["Action", "Resource", "NotAction", "NotResource"].flatMap((key) => [
                statement?.[key],
                ...([] as unknown[]).concat(statement?.[key] ?? []),
            ]),
        ];
        if (parts.some(isComputed)) return [];
        const violations: string[] = [];
        for (const key of ["NotAction", "NotResource"]) {
            if (statement?.[key] !== undefined)
                violations.push(
                    `statement ${index} uses ${key}, which allows everything it does not list`,
                );
        }
        for (const key of ["Action", "Resource"]) {
            const values = ([] as unknown[]).concat(statement?.[key] ?? []);
            if (values.length === 0 && statement?.[`Not${key}`] === undefined)
                violations.push(`statement ${index} names no ${key}`);
            for (const value of values) {
                if (typeof value !== "string")
                    violations.push(`statement ${index} has a ${key} that is not a string`);
                else if (WILDCARD.test(value) && !(key === "Resource" && S3_KEY_PREFIX.test(value)))
                    violations.push(
                        `statement ${index} allows ${key} "${value}"; name the tenant's own ${key === "Action" ? "actions" : "resources"}`,
                    );
            }
        }
        return violations;
    });
}

function statementsOf(policy: unknown): Statement[] | string {
    if (isComputed(policy)) return [];
    let document: unknown;
    try {
        document = typeof policy === "string" ? JSON.parse(policy) : policy;
    } catch {
        return "the policy is not valid JSON";
    }
    if (document === null || typeof document !== "object" || Array.isArray(document))
        return "the policy is not a JSON object";
    const statement = (document as { Statement?: unknown }).Statement;
    if (statement === undefined) return "the policy has no Statement";
    if (isComputed(statement)) return [];
    return ([] as Statement[]).concat(statement as Statement | Statement[]);
}

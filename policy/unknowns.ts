/**
 * On a preview, values that exist only after apply (a generated password, a database's name
 * taken from its resource, a document built from new ARNs) are unknown. The policy SDK throws
 * when a rule reads one, and the engine turns the throw into an advisory message: the rule
 * silently does not run, and a mandatory rule stops holding exactly for new tenants. So every
 * rule sees a copy of its resource in which each unknown value is replaced by COMPUTED, and
 * checks everything that is known. A computed value is not a literal typed into code; whatever
 * a rule cannot judge until it is known, it judges on `pulumi up`, where the pack runs again
 * with every input known, before the resource is created.
 */
import {
    PolicyResource,
    ResourceValidationArgs,
    StackValidationPolicy,
    UnknownValueError,
} from "@pulumi/policy";
import type { ResourcePolicy } from "./policies";

/** A resource's properties as the policy SDK hands them over: any JSON shape. */
export type Props = ResourceValidationArgs["props"];
type PropValue = Props[string];

class Computed {
    toString(): string {
        return "(computed by pulumi)";
    }
}

/** Stands in for a value that is unknown until apply: an object with no keys, never a string, list or number. */
export const COMPUTED: object = Object.freeze(new Computed());
export const isComputed = (value: unknown): boolean => value instanceof Computed;

/** The items of a list; nothing for a computed value or anything else that is not a list. */
export const listOf = (value: unknown): PropValue[] => (Array.isArray(value) ? value : []);

/** A plain copy of `value` with every unknown replaced by COMPUTED; reading it never throws. */
export function withKnownValues<T>(value: T): T {
    if (value === null || typeof value !== "object") return value;
    const copy: Record<string, unknown> | unknown[] = Array.isArray(value) ? [] : {};
    for (const key of Object.keys(value)) {
        let item: unknown;
        try {
            item = withKnownValues((value as Record<string, unknown>)[key]);
        } catch (err) {
            if (!(err instanceof UnknownValueError)) throw err;
            item = COMPUTED;
        }
        (copy as Record<string, unknown>)[key] = item;
    }
    return copy as T;
}

/** The same policy, evaluated on known values only. */
export function evaluatingUnknowns<P extends ResourcePolicy | StackValidationPolicy>(policy: P): P {
    if ("validateResource" in policy) {
        const validate = policy.validateResource;
        return {
            ...policy,
            validateResource: (args, report) =>
                validate({ ...args, props: withKnownValues(args.props) }, report),
        };
    }
    const validate = (policy as StackValidationPolicy).validateStack;
    return {
        ...policy,
        validateStack: (args, report) =>
            validate({ ...args, resources: args.resources.map(withKnownProps) }, report),
    };
}

function withKnownProps(resource: PolicyResource): PolicyResource {
    return {
        ...resource,
        props: withKnownValues(resource.props),
        ...(resource.parent && { parent: withKnownProps(resource.parent) }),
    };
}

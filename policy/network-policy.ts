/**
 * NetworkPolicies add up: one policy that admits everything undoes the isolating one, whatever
 * that one says. So no ingress rule may admit every source: a rule with no `from` (or an empty
 * one), a peer that is empty, a peer selecting every namespace without restricting the pods,
 * or an ipBlock of the whole address space.
 */

import { isComputed, Props } from "./unknowns";

/** A prefix length of 0 covers the whole address space: 0.0.0.0/0, ::/0 and every way of writing them. */
const WHOLE_ADDRESS_SPACE = /\/0+$/;

export function allowAllIngressViolations(spec: Props | undefined): string[] {
    const rules: unknown[] = Array.isArray(spec?.ingress) ? spec.ingress : [];
    return rules.flatMap((rule, index) => {
        const from = (rule as Props | null)?.from;
        // Judged on `pulumi up`, once known.
        if (isComputed(rule) || isComputed(from)) return [];
        if (from === undefined || from === null || (Array.isArray(from) && from.length === 0)) {
            return [
                `ingress rule ${index} has no "from": it admits traffic from everywhere; list the namespaces or pods it admits`,
            ];
        }
        return ([] as unknown[]).concat(from).flatMap((peer, peerIndex) => {
            const problem = allowAllPeer(peer as Props | null);
            return problem ? [`ingress rule ${index}, from[${peerIndex}]: ${problem}`] : [];
        });
    });
}

function allowAllPeer(peer: Props | null): string | undefined {
    if (isComputed(peer) || isComputed(peer?.namespaceSelector) || isComputed(peer?.podSelector))
        return undefined;
    if (peer === null || typeof peer !== "object" || Array.isArray(peer))
        return "a peer that is not a mapping";
    if (Object.keys(peer).length === 0) return "an empty peer admits every source";
    const cidr = peer.ipBlock?.cidr;
    if (typeof cidr === "string" && WHOLE_ADDRESS_SPACE.test(cidr.trim())) {
        return `ipBlock ${cidr} admits every address`;
    }
    if (
        selectsEverything(peer.namespaceSelector) &&
        (peer.podSelector === undefined ||
            peer.podSelector === null ||
            selectsEverything(peer.podSelector))
    ) {
        return "an empty namespaceSelector without a podSelector restriction admits every pod of every namespace";
    }
    return undefined;
}

/** `{}`, or a selector whose matchLabels and matchExpressions are both empty: it selects everything. */
function selectsEverything(selector: unknown): boolean {
    if (selector === null || typeof selector !== "object" || Array.isArray(selector)) return false;
    const { matchLabels, matchExpressions, ...rest } = selector as Props;
    if (isComputed(matchLabels) || isComputed(matchExpressions)) return false;
    const noLabels =
        matchLabels === undefined || matchLabels === null || Object.keys(matchLabels).length === 0;
    const noExpressions =
        matchExpressions === undefined ||
        matchExpressions === null ||
        (Array.isArray(matchExpressions) && matchExpressions.length === 0);
    return noLabels && noExpressions && Object.keys(rest).length === 0;
}

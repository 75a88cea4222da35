/** The aims tenants policy pack: `pulumi preview --policy-pack policy` enforces it. */
import { PolicyPack } from "@pulumi/policy";
import { policies } from "./policies";
import { evaluatingUnknowns } from "./unknowns";

new PolicyPack("aims-tenants", { policies: policies.map(evaluatingUnknowns) });

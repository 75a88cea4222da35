/** The aims tenants policy pack: `pulumi preview --policy-pack policy` enforces it. */
import { PolicyPack } from "@pulumi/policy";
import { policies } from "./policies";

new PolicyPack("aims-tenants", { policies });

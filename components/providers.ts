/**
 * The stack's providers, one per package, built from StackSettings; never the ambient default
 * provider. Pass them to each Tenant as `providers`: its children inherit them.
 */
import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as postgresql from "@pulumi/postgresql";
import * as pulumi from "@pulumi/pulumi";
import { ENVIRONMENT_TAG } from "./vocabulary/naming";
import { StackSettings } from "./stack/settings";
import { Platform } from "./vocabulary/words";

export function stackProviders(
    settings: StackSettings,
    platforms: ReadonlySet<Platform>,
): pulumi.ProviderResource[] {
    const providers: pulumi.ProviderResource[] = [postgresqlProvider(settings)];
    if (platforms.has("kubernetes") && settings.kubernetes) {
        providers.push(
            new k8s.Provider("kubernetes", {
                ...(settings.kubernetes.context && { context: settings.kubernetes.context }),
                enableServerSideApply: true,
                // A change of a Secret's content updates it in place. By default the provider
                // replaces the Secret: it deletes it and creates it again under the same name,
                // so pods that start in between miss their credentials, and it is refused
                // outright on a protected Secret. The pods read the keys at start, so a
                // replacement would restart nothing either.
                enableSecretMutable: true,
            }),
        );
    }
    if (platforms.has("aws") && settings.aws) {
        providers.push(
            new aws.Provider("aws", {
                region: settings.aws.region as aws.Region,
                allowedAccountIds: [settings.aws.accountId],
                defaultTags: {
                    tags: { [ENVIRONMENT_TAG]: settings.environment, "aims:managed-by": "pulumi" },
                },
            }),
        );
    }
    return providers;
}

function postgresqlProvider({ database }: StackSettings): postgresql.Provider {
    return new postgresql.Provider("postgresql", {
        host: database.host,
        port: database.port,
        username: database.username,
        password: database.password,
        sslmode: database.sslmode,
        superuser: false,
    });
}

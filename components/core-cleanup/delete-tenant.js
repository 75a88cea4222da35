// Removes a deleted tenant from the core: POST CORE_DELETE_TENANT_URL with the X-Admin-API-Key
// header and {"subdomain": TENANT_SUBDOMAIN}. 2xx: cleaned; 404: the core has no such school,
// already clean. 5xx, a timeout or a refused connection is retried with doubling delays, bounded
// by CORE_CLEANUP_ATTEMPTS and CORE_CLEANUP_DEADLINE_SECONDS; any other answer fails at once.
// A failure exits 1 with a message, which fails `pulumi up` and keeps the tenant in the stack.
// Node.js without dependencies: it runs where `pulumi up` runs, as `node -e`.
const url = process.env.CORE_DELETE_TENANT_URL;
const apiKey = process.env.CORE_ADMIN_API_KEY;
const subdomain = process.env.TENANT_SUBDOMAIN;
const attempts = Math.max(1, Number(process.env.CORE_CLEANUP_ATTEMPTS || 5));
const deadline = Date.now() + 1000 * Number(process.env.CORE_CLEANUP_DEADLINE_SECONDS || 120);
const retried = new Set([408, 425, 429]);
const what = `aims-core cleanup of tenant ${subdomain} (POST ${url})`;

function fail(message) {
    console.error(
        `${what} failed: ${message}. Nothing else of the tenant was deleted; fix it and run pulumi up again.`,
    );
    return 1;
}

async function main() {
    if (!url || !apiKey || !subdomain)
        return fail("CORE_DELETE_TENANT_URL, CORE_ADMIN_API_KEY and TENANT_SUBDOMAIN must be set");
    let delay = 1000 * Number(process.env.CORE_CLEANUP_FIRST_DELAY_SECONDS || 2);
    for (let attempt = 1; ; attempt++) {
        let reason;
        try {
            const response = await fetch(url, {
                method: "POST",
                headers: { "Content-Type": "application/json", "X-Admin-API-Key": apiKey },
                body: JSON.stringify({ subdomain }),
                redirect: "error",
                signal: AbortSignal.timeout(Math.max(100, Math.min(10000, deadline - Date.now()))),
            });
            if (response.ok) {
                console.log(`${what}: done (HTTP ${response.status})`);
                return 0;
            }
            if (response.status === 404) {
                console.log(`${what}: the core has no such school (HTTP 404), already clean`);
                return 0;
            }
            if (response.status < 500 && !retried.has(response.status)) {
                const hint = [401, 403].includes(response.status)
                    ? " (the admin API key is wrong: check aims:core.adminApiKey)"
                    : "";
                return fail(`HTTP ${response.status}${hint}`);
            }
            reason = `HTTP ${response.status}`;
        } catch (error) {
            reason = (error.cause && (error.cause.code || error.cause.message)) || error.message;
        }
        if (attempt >= attempts || Date.now() + delay >= deadline)
            return fail(
                `no success after ${attempt} attempt${attempt > 1 ? "s" : ""}, last answer ${reason}`,
            );
        console.error(
            `${what}: attempt ${attempt}/${attempts}: ${reason}; retrying in ${delay / 1000}s`,
        );
        await new Promise((resolve) => setTimeout(resolve, delay));
        delay = Math.min(delay * 2, 30000);
    }
}

main().then((code) => process.exit(code));

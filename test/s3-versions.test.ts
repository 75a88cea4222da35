/** How the end-to-end suite's local S3 reads S3's ListObjectVersions answer. */
import { strict as assert } from "node:assert";
import { parseVersions } from "./e2e/support/s3-standin";

describe("reading S3's list of object versions", () => {
    it("gives each version and delete marker, keys unescaped", () => {
        const xml =
            "<ListVersionsResult><Version><Key>a/b&amp;c.dump</Key><VersionId>v2</VersionId><IsLatest>false</IsLatest>" +
            "<LastModified>2025-01-02T03:04:05.000Z</LastModified><Size>12</Size></Version>" +
            "<DeleteMarker><Key>a/d.dump</Key><VersionId>v3</VersionId><IsLatest>true</IsLatest>" +
            "<LastModified>2025-01-03T00:00:00.000Z</LastModified></DeleteMarker></ListVersionsResult>";
        assert.deepEqual(parseVersions(xml), [
            {
                key: "a/b&c.dump",
                versionId: "v2",
                isLatest: false,
                size: 12,
                lastModified: new Date("2025-01-02T03:04:05.000Z"),
            },
            {
                key: "a/d.dump",
                versionId: "v3",
                isLatest: true,
                lastModified: new Date("2025-01-03T00:00:00.000Z"),
            },
        ]);
    });
});

import { strict as assert } from "node:assert";
import { formatTable } from "../scripts/lib/table";

describe("formatTable", () => {
    it("pads each column to its widest cell, two spaces apart, without trailing spaces", () => {
        assert.equal(
            formatTable(
                ["NAME", "PLAN", "URL"],
                [
                    ["school1", "standard", "https://school1.dev.aims.example.org"],
                    ["greenfield", "small", ""],
                ],
            ),
            [
                "NAME        PLAN      URL",
                "school1     standard  https://school1.dev.aims.example.org",
                "greenfield  small",
            ].join("\n"),
        );
    });

    it("prints the header alone when there are no rows", () => {
        assert.equal(formatTable(["TENANT", "URL"], []), "TENANT  URL");
    });
});

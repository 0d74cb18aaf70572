import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { App } from "cdktf";
import { BridgeStack } from "../../stacks/bridge-stack";
import { exampleConfig } from "../helpers/synth";

describe("BridgeStack writes the JSON the rule pack judged", () => {
  it("resolves the stack once at validation and synth writes that same JSON", () => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), "wif-judged-"));
    try {
      const app = new App({ outdir });
      const stack = new BridgeStack(app, "example", { config: exampleConfig() });
      const spy = jest.spyOn(stack, "freezeTerraform");
      app.synth();
      expect(spy).toHaveBeenCalledTimes(1);
      const judged = spy.mock.results[0].value;
      const written = JSON.parse(
        fs.readFileSync(path.join(outdir, "stacks", "example", "cdk.tf.json"), "utf8"),
      );
      expect(written).toEqual(JSON.parse(JSON.stringify(judged)));
      expect(stack.toTerraform()).toBe(judged);
    } finally {
      fs.rmSync(outdir, { recursive: true, force: true });
    }
  });
});

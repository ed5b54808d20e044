/**
 * The pack's rules, in the order they are reported. Importing this module has no side effects:
 * tests and tools get the policy objects without starting the pack's gRPC server (index.ts does that).
 */
import { Policies } from "@pulumi/policy";
import { labPortsOpenToWorld } from "./rules/lab-ports-open-to-world";
import { noLoopbackUrls } from "./rules/no-loopback-urls";
import { openSecurityGroups } from "./rules/open-security-groups";
import { pinnedImages } from "./rules/pinned-images";
import { plainSecretEnv } from "./rules/plain-secret-env";
import { publicTrafficSplit } from "./rules/public-traffic-split";
import { resourceLimits } from "./rules/resource-limits";

export const policies: Policies = [resourceLimits, noLoopbackUrls, pinnedImages, plainSecretEnv, labPortsOpenToWorld, openSecurityGroups, publicTrafficSplit];

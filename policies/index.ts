import { PolicyPack } from "@pulumi/policy";
import { policies } from "./policies";

new PolicyPack("gourmetgram", {
    description: "GourmetGram guardrails: resource limits, no loopback URLs, pinned images, and advisory hygiene checks.",
    policies,
});

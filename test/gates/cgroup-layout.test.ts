import { describe, expect, it } from "vitest";
import { cgroupLayout, CgroupUnavailable } from "../support/cgroup";

const v1Mounts = [
    "31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755",
    "32 31 0:29 / /sys/fs/cgroup/cpu,cpuacct rw,relatime - cgroup cgroup rw,cpu,cpuacct",
    "35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory",
    "40 31 0:37 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw",
].join("\n");

const v2Mounts = "31 23 0:28 / /sys/fs/cgroup rw,nosuid - cgroup2 cgroup2 rw,nsdelegate";

const none = () => [];

describe("where this process's memory and CPU cgroups are", () => {
    it("cgroup v1: each controller under its own mount, at this process's own path", () => {
        const self = "4:memory:/process_api/abc\n2:cpu,cpuacct:/\n0::/";
        expect(cgroupLayout(v1Mounts, self, none)).toEqual({
            memory: { version: 1, dir: "/sys/fs/cgroup/memory/process_api/abc" },
            cpu: { version: 1, dir: "/sys/fs/cgroup/cpu,cpuacct" },
        });
    });

    it("cgroup v1 inside a container whose mounts start at its own cgroup", () => {
        const mounts = "35 31 0:32 /kubepods/pod1 /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n32 31 0:29 /kubepods/pod1 /sys/fs/cgroup/cpu rw - cgroup cgroup rw,cpu";
        const self = "4:memory:/kubepods/pod1\n2:cpu:/kubepods/pod1";
        const layout = cgroupLayout(mounts, self, none);
        expect(layout.memory.dir).toBe("/sys/fs/cgroup/memory");
        expect(layout.cpu.dir).toBe("/sys/fs/cgroup/cpu");
    });

    it("cgroup v2: one directory for both, when it offers both controllers", () => {
        const layout = cgroupLayout(v2Mounts, "0::/user.slice/tests.scope", (dir) => (dir === "/sys/fs/cgroup/user.slice/tests.scope" ? ["cpu", "memory", "pids"] : []));
        expect(layout).toEqual({
            memory: { version: 2, dir: "/sys/fs/cgroup/user.slice/tests.scope" },
            cpu: { version: 2, dir: "/sys/fs/cgroup/user.slice/tests.scope" },
        });
    });

    it("says which controller is missing when neither hierarchy offers it", () => {
        expect(() => cgroupLayout(v2Mounts, "0::/x", () => ["memory"])).toThrow(CgroupUnavailable);
        expect(() => cgroupLayout(v2Mounts, "0::/x", () => ["memory"])).toThrow(/no cpu cgroup controller is available to this process/);
        expect(() => cgroupLayout("", "", none)).toThrow(/no memory cgroup controller/);
    });
});

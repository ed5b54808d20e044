/** A git repository at a revision: what Argo CD syncs a chart from, or what an image build clones. */
export interface GitSource {
    readonly repoUrl: string;
    /** A branch, tag or commit. */
    readonly revision: string;
}

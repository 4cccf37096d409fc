/** Settings every project's tests share: flat tests/ folders, generous timeouts for training tests. */
export declare function projectTestConfig(overrides?: {
    testTimeout?: number;
}): import("vite").UserConfig;
//# sourceMappingURL=vitest.shared.d.ts.map
/**
 * WebGPU in Node through the `webgpu` npm package (Dawn), for the worker thread that runs the
 * webgpu mode. Chooses an adapter, raises the device limits that gpu.js leaves at their
 * defaults, and installs `navigator.gpu` in that thread only, because gpu.js reads it there.
 *
 * On a machine without a GPU, Dawn finds an adapter only when the environment points it at a
 * software driver before Node starts. One way is `VK_ICD_FILENAMES` set to SwiftShader's Vulkan
 * ICD (for example /usr/lib/chromium/vk_swiftshader_icd.json from Debian's chromium-common).
 * The other is `EGL_PLATFORM=surfaceless` for Mesa llvmpipe through OpenGL ES in compatibility mode.
 */

/** How to look for a WebGPU adapter in Node. */
export interface NodeWebGPUOptions {
  /**
   * Dawn toggles for `create()`, for example `['backend=vulkan']`. When omitted, the default
   * backend is tried first, then OpenGL ES in compatibility mode if `EGL_PLATFORM` is set.
   */
  readonly dawnFlags?: readonly string[];
  /** `compatibility` accepts adapters that only offer the WebGPU compatibility subset (default `core`). */
  readonly featureLevel?: 'core' | 'compatibility';
}

/** A description of the adapter that was chosen. */
export interface AdapterDescription {
  readonly vendor: string;
  readonly architecture: string;
  readonly description: string;
  readonly featureLevel: 'core' | 'compatibility';
  readonly dawnFlags: readonly string[];
  /** True for CPU rasterizers (SwiftShader, llvmpipe, lavapipe): correct, but slower than plain JavaScript. */
  readonly software: boolean;
}

interface AdapterInfoLike {
  readonly vendor?: string;
  readonly architecture?: string;
  readonly description?: string;
  readonly device?: string;
  readonly isFallbackAdapter?: boolean;
}

interface AdapterLike {
  readonly info?: AdapterInfoLike;
  readonly limits: Record<string, number>;
  requestDevice(descriptor?: { requiredLimits?: Record<string, number> }): Promise<unknown>;
}

interface GpuLike {
  requestAdapter(options?: { featureLevel?: string; powerPreference?: string }): Promise<AdapterLike | null>;
}

interface WebGPUModule {
  create(flags: string[]): GpuLike;
  globals: Record<string, unknown>;
}

// The object `create()` returns must stay reachable while any device lives: when it is
// garbage-collected, Dawn crashes the process in its callback flush.
const keepAlive: GpuLike[] = [];

const SOFTWARE_ADAPTER = /swiftshader|llvmpipe|lavapipe|softpipe/i;

/** Limits that gpu.js does not request but its kernels or compatibility adapters need. */
const RAISED_LIMITS = [
  'maxStorageBuffersPerShaderStage',
  'maxComputeInvocationsPerWorkgroup',
  'maxComputeWorkgroupSizeX',
  'maxComputeWorkgroupSizeY',
  'maxComputeWorkgroupSizeZ',
  'maxStorageBufferBindingSize',
  'maxBufferSize',
];

function candidates(options: NodeWebGPUOptions): { flags: string[]; featureLevel: 'core' | 'compatibility' }[] {
  if (options.dawnFlags !== undefined) return [{ flags: [...options.dawnFlags], featureLevel: options.featureLevel ?? 'core' }];
  const list: { flags: string[]; featureLevel: 'core' | 'compatibility' }[] = [{ flags: [], featureLevel: options.featureLevel ?? 'core' }];
  if (process.env.EGL_PLATFORM !== undefined) list.push({ flags: ['backend=opengles'], featureLevel: 'compatibility' });
  return list;
}

/** Wraps an adapter so that `requestDevice` also requests the adapter's full limits. */
function withFullLimits(adapter: AdapterLike): AdapterLike {
  return new Proxy(adapter, {
    get(target, property) {
      if (property === 'requestDevice') {
        return (descriptor: { requiredLimits?: Record<string, number> } = {}) => {
          const requiredLimits: Record<string, number> = { ...(descriptor.requiredLimits ?? {}) };
          for (const name of RAISED_LIMITS) {
            const value = target.limits[name];
            if (typeof value === 'number') requiredLimits[name] = value;
          }
          return target.requestDevice({ ...descriptor, requiredLimits });
        };
      }
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}

/**
 * Loads the `webgpu` package, finds an adapter and installs `navigator.gpu` for gpu.js in the
 * calling thread. Throws with the reason and the fix when there is no adapter.
 */
export async function installNodeWebGPU(options: NodeWebGPUOptions = {}): Promise<AdapterDescription> {
  let webgpu: WebGPUModule;
  try {
    webgpu = (await import('webgpu')) as unknown as WebGPUModule;
  } catch (error) {
    throw new Error(`the webgpu npm package (Dawn) failed to load: ${(error as Error).message}; install webgpu@0.6.2`, { cause: error });
  }
  const tried: string[] = [];
  for (const candidate of candidates(options)) {
    const gpu = webgpu.create(candidate.flags);
    keepAlive.push(gpu);
    const adapter = await gpu.requestAdapter({ featureLevel: candidate.featureLevel });
    if (adapter === null) {
      tried.push(`create([${candidate.flags.join(', ')}]) with featureLevel ${candidate.featureLevel}`);
      continue;
    }
    const info = adapter.info ?? {};
    const text = [info.vendor, info.architecture, info.description, info.device].filter(Boolean).join(' ');
    const wrapped = withFullLimits(adapter);
    Object.assign(globalThis, webgpu.globals);
    const navigatorGpu = {
      requestAdapter: async () => wrapped,
      getPreferredCanvasFormat: () => 'rgba8unorm',
    };
    Object.defineProperty(globalThis, 'navigator', { value: { gpu: navigatorGpu }, configurable: true, writable: true });
    return {
      vendor: info.vendor ?? '',
      architecture: info.architecture ?? '',
      description: info.description ?? '',
      featureLevel: candidate.featureLevel,
      dawnFlags: candidate.flags,
      software: info.isFallbackAdapter === true || SOFTWARE_ADAPTER.test(text),
    };
  }
  throw new Error(
    `no WebGPU adapter (tried ${tried.join('; ')}). Without a GPU, start Node with ` +
      'VK_ICD_FILENAMES pointing at SwiftShader\'s Vulkan ICD (e.g. /usr/lib/chromium/vk_swiftshader_icd.json from Debian\'s chromium-common), ' +
      'or with EGL_PLATFORM=surfaceless to use Mesa llvmpipe through OpenGL ES',
  );
}

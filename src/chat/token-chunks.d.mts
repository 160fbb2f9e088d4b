type CountTokens = (text: string) => number;
export type CountingRequest = { text: string } | { samples: string[]; length: number };
export declare const chunkCharacters: number;
export declare const exactCharacters: number;
export declare const sampleCount: number;
export declare function chunkEnd(text: string, start: number): number;
export declare function countInChunks(countTokens: CountTokens, text: string): number;
export declare function countingRequest(input: string | readonly string[]): CountingRequest;
export declare function countRequest(countTokens: CountTokens, request: CountingRequest): number;

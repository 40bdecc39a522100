export { getStack, stackFromEnv, exportStack, STACK_ENV, HOW_TO_START } from './stack';
export type { Stack } from './stack';
export { randomName } from './names';
export { waitFor } from './wait';
export type { WaitOptions } from './wait';
export { findDockerEngine, isDockerEngineReachable, dockerEndpoints, pingDocker } from './docker';
export type { DockerEndpoint, DockerProbeOptions } from './docker';
export { startStackWithTestcontainers, STACK_IMAGES } from './containers';
export type { ContainerStack, ContainerStackOptions } from './containers';
export { checkStack } from './stack-check';
export type { StackFailure } from './stack-check';
export { createTestKafka } from './kafka';
export type {
  CreateTopicsOptions,
  PartitionOffset,
  ReadRecordsOptions,
  TestKafka,
  TestKafkaOptions,
  TestRecord,
} from './kafka';
export { isolatedRedis } from './redis';
export type { IsolatedRedis, IsolatedRedisOptions } from './redis';
export { deleteEmails, listEmails, waitForEmails } from './mail';
export type { CapturedEmail, MailAddress, MailFilter, WaitForEmailsOptions } from './mail';

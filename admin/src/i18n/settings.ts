// Chinese names and descriptions of the system settings (src/config/setting-defs.ts) and their
// categories. The API sends English; a key missing here falls back to the API's text.
import type { Lang } from './index'

interface SettingText {
  name: string
  description: string
}

const settingsZh: Record<string, SettingText> = {
  app_url: {
    name: '项目地址',
    description: '分组端点显示的基础 URL；保存之前为网关的监听地址',
  },
  proxy_keys: { name: '全局代理密钥', description: '对所有分组有效的代理密钥，以逗号分隔' },
  request_log_retention_days: {
    name: '日志保留天数',
    description: '请求日志保留的天数；0 表示永久保留',
  },
  request_log_write_interval_minutes: {
    name: '日志写入间隔（分钟）',
    description: '缓冲的请求日志最长等待多久写入（日志每 2 秒写入一次）；0 表示每条立即写入',
  },
  enable_request_body_logging: {
    name: '记录请求体',
    description: '在请求日志中保存请求体（最多 65000 个字符）',
  },
  request_timeout: {
    name: '请求超时（秒）',
    description: '一个请求的总时长，包括重试；流式请求计到响应开始为止',
  },
  connect_timeout: { name: '连接超时（秒）', description: '与上游建立连接的时长' },
  idle_conn_timeout: { name: '空闲连接超时（秒）', description: '空闲的上游连接保留多久' },
  response_header_timeout: {
    name: '响应头超时（秒）',
    description: '等待上游响应头的时长，流式请求也适用',
  },
  first_byte_timeout: {
    name: '首字节超时（秒）',
    description:
      '仅流式请求：响应头之后在此时间内没有收到任何正文字节，则换用另一个密钥；0 表示一直等待模型思考',
  },
  stream_idle_timeout: {
    name: '流空闲超时（秒）',
    description: '流在首字节之后静默超过此时间即以错误事件结束；0 表示从不结束',
  },
  stream_heartbeat_interval: {
    name: '流心跳间隔（秒）',
    description: '流等待首字节期间，每隔此时间发送一条 SSE 保活注释；0 表示不发送',
  },
  max_idle_conns: { name: '最大空闲连接数', description: '总共保留的空闲上游连接数' },
  max_idle_conns_per_host: {
    name: '每主机最大空闲连接数',
    description: '每个主机保留的空闲上游连接数',
  },
  proxy_url: {
    name: '出站代理 URL',
    description: '上游调用使用的 HTTP、HTTPS 或 SOCKS5 代理；留空则使用 HTTP_PROXY/HTTPS_PROXY',
  },
  max_retries: {
    name: '最大重试次数',
    description: '额外尝试的次数，尽量每次换用另一个密钥；不超过请求超时',
  },
  member_max_attempts: {
    name: '每个聚合成员的尝试次数',
    description:
      '聚合分组：一次请求中一个成员最多尝试的次数（每次换用未试过的密钥），之后换下一个成员或下一优先级；不超过最大重试次数',
  },
  max_wait_for_key_ms: {
    name: '等待冷却密钥的最长时间（毫秒）',
    description:
      '所有密钥都在冷却、且最早的一个在此时间内恢复时，等待它而不是返回 429；0 表示不等待',
  },
  blacklist_threshold: {
    name: '拉黑阈值',
    description: '密钥连续认证失败多少次后变为无效；0 表示从不拉黑',
  },
  failover_status_codes: {
    name: '故障转移状态码',
    description: '使网关换用另一个密钥重试的上游状态码',
  },
  incident_min_keys: {
    name: '判定上游故障的密钥数',
    description:
      '窗口内有这么多个不同密钥在同一上游以相同方式失败（401/403、429 或连接错误）时，判定为上游故障：不再惩罚密钥，撤销窗口内的惩罚，并打开该上游的熔断器；0 表示关闭',
  },
  incident_window_seconds: {
    name: '上游故障判定窗口（秒）',
    description: '统计不同密钥失败次数的时间窗口',
  },
  circuit_open_seconds: {
    name: '熔断打开时间（秒）',
    description: '发生故障的上游被跳过多久后，再放行一个探测请求；每次探测失败后翻倍，最多 10 分钟',
  },
  key_probe_interval_seconds: {
    name: '无效密钥的实时探测（秒）',
    description:
      '密钥失效这么久后，让它承接一次真实的客户端请求，每次探测失败后间隔翻倍（最长一天）；探测失败会换用其他密钥重试，客户端无感知；0 表示从不探测',
  },
  key_probes_per_minute: {
    name: '每分钟实时探测数',
    description: '每个分组每分钟最多发起的无效密钥实时探测次数',
  },
  key_validation_interval_minutes: {
    name: '密钥验证间隔（分钟）',
    description: '无效密钥多久重新验证一次',
  },
  key_validation_concurrency: { name: '密钥验证并发数', description: '同时验证的密钥数' },
  key_validation_timeout_seconds: {
    name: '密钥验证超时（秒）',
    description: '单次验证请求的时限',
  },
}

const categoriesZh: Record<string, string> = {
  Basic: '基础设置',
  Request: '请求设置',
  Key: '密钥设置',
}

/** The setting's name and description in the UI language; English is the API's own text. */
export const toSettingText = (lang: Lang, meta: SettingText & { key: string }): SettingText =>
  (lang === 'zh' && settingsZh[meta.key]) || meta

/** The category's name in the UI language, or the API's name when it has no translation. */
export const toCategoryName = (lang: Lang, name: string) =>
  (lang === 'zh' && categoriesZh[name]) || name

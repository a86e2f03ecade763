/** Field selections shared by queries and mutations. Aligned to schema.graphql. */
export const USER_FIELDS = `id username fullName role region { id name }`;
export const VIEWER_FIELDS = `user { ${USER_FIELDS} } permissions`;
export const SESSION_FIELDS = `accessToken accessTokenExpiresAt refreshToken refreshTokenExpiresAt viewer { ${VIEWER_FIELDS} }`;
export const SITE_BRIEF = `id code name kind district`;
export const SITE_LIST_FIELDS = `${SITE_BRIEF} address recordingLocation deviceCount region { id name }`;
export const DEVICE_FIELDS = `id kind assetTag make model serialNumber firmware ipAddress onvifPort installedOn status isPublicCityWatch areaType site { ${SITE_BRIEF} }`;
export const SITE_FULL = `${SITE_LIST_FIELDS} latitude longitude ipBlocks { id cidr description } devices { ${DEVICE_FIELDS} }`;
export const WORK_ORDER_FIELDS = `id number type status title description priority
  site { ${SITE_BRIEF} }
  devices { id kind assetTag make model status site { id } }
  assignee { ${USER_FIELDS} } createdBy { ${USER_FIELDS} }
  dueOn createdAt updatedAt returnReason version
  timeline { id at kind fromStatus toStatus text changes { field before after } actor { ${USER_FIELDS} } }
  allowedActions`;
export const OPERATION_ERROR = `... on OperationError { code message field }`;

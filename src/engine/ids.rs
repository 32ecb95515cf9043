//! Which field identifies a record in a finding: per record type (a resource type or a log
//! type) a list of fields, the first present one giving the `id` of `pounce eval -r`'s output;
//! the defaults cover every type of the shipped packs, and `--id-field TYPE=FIELD,…` changes
//! them (docs/CLI.md).

use serde_json::Value;
use std::collections::HashMap;

/// Fields tried for every type after its own: Panther's resource id, row id, ARNs and ids.
pub const ID_FIELDS: [&str; 8] = [
    "ResourceId",
    "resourceId",
    "p_row_id",
    "Arn",
    "arn",
    "GroupId",
    "eventID",
    "id",
];

/// The identifying fields of each type of the packs, most specific first (dotted paths allowed).
pub const DEFAULT_ID_FIELDS: &[(&str, &[&str])] = &[
    (
        "AWS.ACM.Certificate",
        &["CertificateArn", "Arn", "DomainName"],
    ),
    (
        "AWS.CloudFormation.Stack",
        &["StackId", "ARN", "Arn", "Name"],
    ),
    // Both a resource type (a trail) and a log type (an event).
    ("AWS.CloudTrail", &["eventID", "TrailARN", "Name"]),
    ("AWS.CloudTrail.Meta", &["AccountId"]),
    (
        "AWS.CloudWatch.LogGroup",
        &["Arn", "ARN", "LogGroupName", "Name"],
    ),
    ("AWS.Config.Recorder", &["Name", "RoleARN"]),
    ("AWS.Config.Recorder.Meta", &["Name", "AccountId"]),
    ("AWS.DynamoDB.Table", &["TableArn", "Arn", "Name"]),
    ("AWS.EC2.AMI", &["ImageId", "ID"]),
    ("AWS.EC2.Instance", &["InstanceId"]),
    ("AWS.EC2.NetworkACL", &["NetworkAclId"]),
    ("AWS.EC2.SecurityGroup", &["GroupId"]),
    ("AWS.EC2.VPC", &["VpcId"]),
    ("AWS.EC2.Volume", &["VolumeId"]),
    (
        "AWS.ELBV2.ApplicationLoadBalancer",
        &["LoadBalancerArn", "Arn", "Name"],
    ),
    ("AWS.GuardDuty.Detector", &["Id", "AccountId"]),
    ("AWS.GuardDuty.Detector.Meta", &["AccountId"]),
    ("AWS.IAM.Group", &["Arn", "GroupName"]),
    ("AWS.IAM.Policy", &["Arn", "PolicyName"]),
    ("AWS.IAM.Role", &["Arn", "RoleName"]),
    ("AWS.IAM.RootUser", &["Arn", "ARN", "UserName"]),
    ("AWS.IAM.User", &["Arn", "ARN", "UserName"]),
    ("AWS.KMS.Key", &["Arn", "KeyId"]),
    ("AWS.Lambda.Function", &["Arn", "Name"]),
    ("AWS.PasswordPolicy", &["AccountId"]),
    (
        "AWS.RDS.Instance",
        &["DBInstanceArn", "DBInstanceIdentifier"],
    ),
    ("AWS.Redshift.Cluster", &["ClusterIdentifier"]),
    ("AWS.S3.Bucket", &["Name", "Arn"]),
    ("AWS.S3ServerAccess", &["requestid"]),
    ("AWS.VPCFlow", &["p_row_id"]),
    (
        "AWS.WAF.Regional.WebACL",
        &["WebACLArn", "WebACLId", "Name"],
    ),
    ("AWS.WAF.WebACL", &["WebACLArn", "WebACLId", "Name"]),
];

/// The id fields in force: the defaults, changed by `--id-field`.
#[derive(Clone, Debug)]
pub struct IdFields {
    by_type: HashMap<String, Vec<Vec<String>>>,
    every: Vec<Vec<String>>,
}

/// `a.b` → `["a", "b"]`.
fn split(path: &str) -> Vec<String> {
    path.split('.').map(String::from).collect()
}

impl Default for IdFields {
    fn default() -> Self {
        IdFields {
            by_type: DEFAULT_ID_FIELDS
                .iter()
                .map(|(t, fs)| ((*t).to_string(), fs.iter().map(|f| split(f)).collect()))
                .collect(),
            every: Vec::new(),
        }
    }
}

impl IdFields {
    /// Applies `TYPE=FIELD[,FIELD…]`: the fields of that type, replacing its defaults; `*` for
    /// every type (tried before each type's own).
    pub fn set(&mut self, spec: &str) -> Result<(), String> {
        let (t, fields) = spec
            .split_once('=')
            .ok_or_else(|| format!("`{spec}` is not TYPE=FIELD[,FIELD...]"))?;
        let fields: Vec<Vec<String>> = fields
            .split(',')
            .map(str::trim)
            .filter(|f| !f.is_empty())
            .map(split)
            .collect();
        if fields.is_empty() || t.trim().is_empty() {
            return Err(format!("`{spec}` is not TYPE=FIELD[,FIELD...]"));
        }
        match t.trim() {
            "*" => self.every = fields,
            t => {
                self.by_type.insert(t.to_string(), fields);
            }
        }
        Ok(())
    }

    /// Every field path in force (the projection keeps them).
    pub fn paths(&self) -> Vec<&[String]> {
        let mut out: Vec<&[String]> = self.every.iter().map(Vec::as_slice).collect();
        out.extend(self.by_type.values().flatten().map(Vec::as_slice));
        out
    }

    /// The id of `doc` (of type `t`) and the field it came from: the first of the `*` fields,
    /// the type's fields and [`ID_FIELDS`] that holds a string or a number.
    pub fn id_of(&self, doc: &Value, t: Option<&str>) -> Option<(String, String)> {
        let own = t.and_then(|t| self.by_type.get(t));
        let generic: Vec<Vec<String>> = ID_FIELDS.iter().map(|f| split(f)).collect();
        self.every
            .iter()
            .chain(own.into_iter().flatten())
            .chain(generic.iter())
            .find_map(|path| {
                let v = path.iter().try_fold(doc, |v, k| v.get(k))?;
                let text = match v {
                    Value::String(s) if !s.is_empty() => s.clone(),
                    Value::Number(n) => n.to_string(),
                    _ => return None,
                };
                Some((text, path.join(".")))
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_and_changes() {
        let doc = serde_json::json!({"Name": "logs", "Arn": "arn:aws:s3:::logs", "x": {"id": 7}});
        let mut ids = IdFields::default();
        assert_eq!(
            ids.id_of(&doc, Some("AWS.S3.Bucket")),
            Some(("logs".into(), "Name".into()))
        );
        assert_eq!(
            ids.id_of(&doc, Some("Other")),
            Some(("arn:aws:s3:::logs".into(), "Arn".into()))
        );
        assert!(ids.set("AWS.S3.Bucket=x.id").is_ok());
        assert_eq!(
            ids.id_of(&doc, Some("AWS.S3.Bucket")),
            Some(("7".into(), "x.id".into()))
        );
        assert!(ids.set("nothing").is_err());
    }
}

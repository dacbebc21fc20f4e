% if errors:
% order = [f for f in get('fields', ()) if f in errors] + [f for f in errors if f not in get('fields', ())]
<div class="error-summary" role="alert" tabindex="-1" id="error-summary">
  <h2>Please check the form</h2>
  <ul>
% for field in order:
%   if field in get('fields', ()):
    <li><a href="#{{get('anchors', {}).get(field, field)}}">{{get('labels', {}).get(field, field.replace('_', ' ').capitalize())}}: {{errors[field]}}</a></li>
%   else:
    <li>{{errors[field]}}</li>
%   end
% end
  </ul>
</div>
% end

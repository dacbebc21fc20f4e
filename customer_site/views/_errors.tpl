% if errors:
<div class="error-summary" role="alert" tabindex="-1" id="error-summary">
  <h2>Please check the form</h2>
  <ul>
% for field, message in errors.items():
%   if field in get('fields', ()) :
    <li><a href="#{{field}}">{{get('labels', {}).get(field, field.replace('_', ' ').capitalize())}}: {{message}}</a></li>
%   else:
    <li>{{message}}</li>
%   end
% end
  </ul>
</div>
% end
